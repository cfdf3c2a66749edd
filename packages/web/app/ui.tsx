import type { ReactNode } from "react"
import { describeError } from "./format.js"

export function Card(props: {
  readonly title: string
  readonly subtitle?: ReactNode
  readonly actions?: ReactNode
  readonly className?: string
  readonly testId?: string
  readonly children: ReactNode
}) {
  return (
    <section className={`card ${props.className ?? ""}`} data-testid={props.testId}>
      <header className="card-header">
        <div>
          <h2>{props.title}</h2>
          {props.subtitle !== undefined && <p className="card-subtitle">{props.subtitle}</p>}
        </div>
        {props.actions !== undefined && <div className="card-actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  )
}

export function Loading(props: { readonly label?: string }) {
  return (
    <div className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {props.label ?? "Loading…"}
    </div>
  )
}

export function Empty(props: { readonly children: ReactNode }) {
  return <div className="state state-empty">{props.children}</div>
}

export function ErrorMessage(
  props: { readonly error: unknown; readonly onRetry?: () => void; readonly what?: string }
) {
  return (
    <div className="state state-error" role="alert">
      <span>
        {props.what !== undefined && <strong>{props.what}:</strong>} {describeError(props.error)}
      </span>
      {props.onRetry !== undefined && (
        <button type="button" className="button button-small" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  )
}
