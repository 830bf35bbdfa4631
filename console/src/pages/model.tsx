// One model's page (GET /v1/models/:author/:slug). Phase A: its name and description; endpoints and samples
// come with issue 17 item 3.
import { useApi } from '../api';
import { ErrorState, Loading } from '../components/states';
import type { PageProps } from '../routes';
import { useTitle } from '../router';

interface Model {
  id: string;
  name: string;
  description: string;
}

export default function ModelPage({ params }: PageProps) {
  const id = `${params.author}/${params.slug}`;
  useTitle(id);
  const { data, error, loading, reload } = useApi<{ data: Model }>(
    `/v1/models/${encodeURIComponent(params.author)}/${encodeURIComponent(params.slug)}`,
  );
  return (
    <section class="page">
      {loading && <Loading label="Loading the model…" />}
      {error && <ErrorState error={error} onRetry={reload} title={`${id} could not be loaded`} />}
      {data && (
        <>
          <h1>{data.data.name}</h1>
          <p class="muted">
            <code>{data.data.id}</code>
          </p>
          <p class="description">{data.data.description}</p>
        </>
      )}
    </section>
  );
}
