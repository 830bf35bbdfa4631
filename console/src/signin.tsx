// Sign-in: a key pasted into a password field, checked with GET /v1/key before it is kept (sessionStorage).
import { useState } from 'preact/hooks';
import { ApiError, api } from './api';
import { TextField } from './components/field';
import { makeSession, saveKey, type KeyInfo, type Session } from './session';

export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (s: Session) => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const k = key.trim();
    if (!k) {
      setError('Paste an ARouter key first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { data } = await api<{ data: KeyInfo }>('/v1/key', { key: k });
      saveKey(k);
      onSignedIn(makeSession(k, data));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin">
      <form class="card signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to ARouter</h1>
        <p class="muted">
          Use an ARouter API key. It stays in this browser tab only (session storage) and is sent to this server as a
          Bearer header.
        </p>
        {notice && !error && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <TextField
          label="API key"
          type="password"
          name="key"
          autoComplete="off"
          autoFocus
          value={key}
          onInput={setKey}
          placeholder="lr_live_…"
          hint="The demo prints its operator key at start (also saved as admin-key.txt in the data folder)."
        />
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
