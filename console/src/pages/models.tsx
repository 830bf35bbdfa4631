// The models list (GET /v1/models). Phase A: a plain table; filters, sort and paging come with issue 17 item 3.
import { useApi } from '../api';
import { DataTable } from '../components/table';
import { ErrorState, Loading } from '../components/states';
import { formatPerMillion, formatTokens } from '../format';
import type { PageProps } from '../routes';
import { href, modelPath } from '../router';

interface Model {
  id: string;
  name: string;
  context_length: number;
  pricing: { prompt: string; completion: string };
}

export default function ModelsPage(_props: PageProps) {
  const { data, error, loading, reload } = useApi<{ data: Model[] }>('/v1/models');
  return (
    <section class="page">
      <h1>Models</h1>
      {loading && <Loading label="Loading models…" />}
      {error && <ErrorState error={error} onRetry={reload} title="The models could not be loaded" />}
      {data && (
        <DataTable
          caption="Models"
          rows={data.data}
          rowKey={(m) => m.id}
          columns={[
            { key: 'name', header: 'Model', cell: (m) => <a href={href(modelPath(m.id))}>{m.name}</a> },
            { key: 'ctx', header: 'Context', numeric: true, cell: (m) => formatTokens(m.context_length) },
            { key: 'in', header: 'Input / 1M', numeric: true, cell: (m) => formatPerMillion(m.pricing.prompt) },
            { key: 'out', header: 'Output / 1M', numeric: true, cell: (m) => formatPerMillion(m.pricing.completion) },
          ]}
        />
      )}
    </section>
  );
}
