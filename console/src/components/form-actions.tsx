// The end of every admin form: the form-wide error (an API answer naming no field) and submit / cancel.
import type { ComponentChildren } from 'preact';

export function FormActions(props: {
  error: string | null | undefined;
  busy: boolean;
  submit: string;
  /** the submit button's words while the request runs */
  busyLabel: string;
  onCancel: () => void;
  cancel?: string;
  /** between the error and the buttons (a "saved" notice) */
  children?: ComponentChildren;
}) {
  return (
    <>
      {props.error && (
        <p class="form-error" role="alert">
          {props.error}
        </p>
      )}
      {props.children}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={props.busy}>
          {props.busy ? props.busyLabel : props.submit}
        </button>
        <button type="button" class="btn" onClick={props.onCancel}>
          {props.cancel ?? 'Cancel'}
        </button>
      </div>
    </>
  );
}
