// PLACEHOLDER, to be replaced whole by the Playground page (pick a model or a variant, stream an answer, then see its route and cost).
import type { PageProps } from '../routes';
import { Empty } from '../components/states';

export default function PlaygroundPage(_props: PageProps) {
  return (
    <section class="page">
      <h1>Playground</h1>
      <Empty title="This page is not built yet.">
        Pick a model or a variant, stream an answer, then see its route and cost.
      </Empty>
    </section>
  );
}
