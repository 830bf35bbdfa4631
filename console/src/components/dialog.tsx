// A confirmation asked in a modal <dialog>: the browser keeps focus inside it, Escape cancels, and focus returns
// to the button that opened it. Focus starts on Cancel, so Enter pressed by habit does not destroy anything.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children?: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  /** the action is under way: both buttons wait */
  busy?: boolean;
  /** why the action failed, shown in the dialog */
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const id = useId();
  // the browser's own return of focus on close() is lost when a re-render moved focus meanwhile: do it ourselves
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      d.showModal();
      cancel.current?.focus();
    } else if (!open && d.open) {
      d.close();
      if (opener.current?.isConnected) opener.current.focus();
      opener.current = null;
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      class="dialog card"
      aria-labelledby={id + '-title'}
      aria-describedby={id + '-body'}
      // Escape: the browser closes the dialog; tell the page so its state agrees
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={id + '-title'}>{title}</h2>
      <div id={id + '-body'}>{children}</div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button ref={cancel} type="button" class="btn" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          class={`btn ${danger ? 'btn-danger-solid' : 'btn-primary'}`}
          disabled={busy}
          onClick={onConfirm}
        >
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
