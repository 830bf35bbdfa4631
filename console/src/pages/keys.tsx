// PLACEHOLDER, to be replaced whole by the Keys page (create, list, disable and revoke API keys).
import type { PageProps } from '../routes';
import { Empty } from '../components/states';

export default function KeysPage(_props: PageProps) {
  return (
    <section class="page">
      <h1>Keys</h1>
      <Empty title="This page is not built yet.">Create, list, disable and revoke API keys.</Empty>
    </section>
  );
}
