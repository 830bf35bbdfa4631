// PLACEHOLDER, to be replaced whole by the Accounts page (credits and enabled providers of accounts).
import type { PageProps } from '../routes';
import { Empty } from '../components/states';

export default function AccountsPage(_props: PageProps) {
  return (
    <section class="page">
      <h1>Accounts</h1>
      <Empty title="This page is not built yet.">Credits and enabled providers of accounts.</Empty>
    </section>
  );
}
