// PLACEHOLDER, to be replaced whole by the Activity page (spend, requests and tokens per day, and the generations table).
import type { PageProps } from '../routes';
import { Empty } from '../components/states';

export default function ActivityPage(_props: PageProps) {
  return (
    <section class="page">
      <h1>Activity</h1>
      <Empty title="This page is not built yet.">Spend, requests and tokens per day, and the generations table.</Empty>
    </section>
  );
}
