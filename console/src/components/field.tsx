// Form fields, each with its visible <label> tied to the control (and an optional hint tied by
// aria-describedby): no unlabelled control anywhere in the console.
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

interface Common {
  label: ComponentChildren;
  hint?: ComponentChildren;
  /** what is wrong with the value (e.g. the API's 400 naming this field): shown under it, the control marked invalid */
  error?: ComponentChildren;
  /** a hidden label (the control's purpose is clear from around it) still read by screen readers */
  hideLabel?: boolean;
  class?: string;
}

function Wrap({
  id,
  label,
  hint,
  error,
  hideLabel,
  class: cls,
  children,
}: Common & { id: string; children: ComponentChildren }) {
  return (
    <div class={`field ${cls ?? ''}`}>
      <label for={id} class={hideLabel ? 'visually-hidden' : 'field-label'}>
        {label}
      </label>
      {children}
      {hint && (
        <div id={id + '-hint'} class="field-hint">
          {hint}
        </div>
      )}
      {error && (
        <div id={id + '-error'} class="field-error">
          {error}
        </div>
      )}
    </div>
  );
}

/** the control's aria-describedby and aria-invalid: its hint and its error, when present */
function described(id: string, p: Common) {
  const ids = [p.hint ? id + '-hint' : '', p.error ? id + '-error' : ''].filter(Boolean).join(' ');
  return { 'aria-describedby': ids || undefined, 'aria-invalid': p.error ? true : undefined };
}

export function TextField(
  props: Common & {
    value: string;
    onInput: (v: string) => void;
    type?: 'text' | 'password' | 'search' | 'url' | 'email' | 'datetime-local' | 'date';
    placeholder?: string;
    autoComplete?: string;
    autoFocus?: boolean;
    required?: boolean;
    name?: string;
    /** the id of a <datalist> of suggestions (a searchable pick list) */
    list?: string;
    disabled?: boolean;
  },
) {
  const id = useId();
  return (
    <Wrap id={id} {...props}>
      <input
        id={id}
        class="input"
        name={props.name}
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete}
        autoFocus={props.autoFocus}
        required={props.required}
        list={props.list}
        disabled={props.disabled}
        spellcheck={false}
        {...described(id, props)}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
    </Wrap>
  );
}

export function NumberField(
  props: Common & {
    value: string;
    onInput: (v: string) => void;
    min?: number;
    max?: number;
    step?: number | 'any';
    placeholder?: string;
  },
) {
  const id = useId();
  return (
    <Wrap id={id} {...props}>
      <input
        id={id}
        class="input"
        type="number"
        inputMode="decimal"
        value={props.value}
        min={props.min}
        max={props.max}
        step={props.step ?? 'any'}
        placeholder={props.placeholder}
        {...described(id, props)}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
    </Wrap>
  );
}

export function TextArea(
  props: Common & {
    value: string;
    onInput: (v: string) => void;
    rows?: number;
    placeholder?: string;
    onKeyDown?: (e: KeyboardEvent) => void;
  },
) {
  const id = useId();
  return (
    <Wrap id={id} {...props}>
      <textarea
        id={id}
        class="input"
        rows={props.rows ?? 4}
        value={props.value}
        placeholder={props.placeholder}
        {...described(id, props)}
        onKeyDown={props.onKeyDown}
        onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
    </Wrap>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField(props: Common & { value: string; options: Option[]; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <Wrap id={id} {...props}>
      <select
        id={id}
        class="input"
        value={props.value}
        {...described(id, props)}
        onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Wrap>
  );
}

export function CheckboxField({
  label,
  checked,
  onChange,
  class: cls,
}: {
  label: ComponentChildren;
  checked: boolean;
  onChange: (v: boolean) => void;
  class?: string;
}) {
  const id = useId();
  return (
    <div class={`check ${cls ?? ''}`}>
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{label}</label>
    </div>
  );
}
