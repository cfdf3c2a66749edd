import { DEFAULT_LOYAL_MIN_PURCHASES } from "@icash/domain"
import { formatCount, formatMoney } from "../format.js"
import { useEffectResult, valueOf } from "../hooks.js"
import type { LiveState } from "../live.js"
import { useServices } from "../services.js"

function Kpi(props: {
  readonly label: string
  readonly value: string | undefined
  readonly note: string
  readonly testId: string
  readonly waiting: string
}) {
  return (
    <div className="kpi">
      <div className="kpi-label">{props.label}</div>
      <div
        className="kpi-value"
        data-testid={props.testId}
        title={props.value === undefined ? props.waiting : undefined}
      >
        {props.value ?? <span className="kpi-placeholder">—</span>}
      </div>
      <div className="kpi-note">{props.note}</div>
    </div>
  )
}

/** The chain's headline figures, from the live stream (unique customers also from its own endpoint until then). */
export function Kpis(props: { readonly live: LiveState; readonly refresh: number }) {
  const { analytics } = useServices()
  const figures = props.live.figures
  // the endpoint, until (or while) the stream has nothing to say
  const customers = useEffectResult(
    () => analytics.analytics.uniqueCustomers(),
    [figures === null ? props.refresh : "live"]
  )
  const waiting = props.live.status === "live" ? "Waiting for the first figures…" : "Waiting for the live stream…"
  const unique = figures?.unique_customers ?? valueOf(customers)?.unique_customers
  return (
    <div className={`kpis ${props.live.status === "live" ? "" : "kpis-stale"}`} data-testid="kpis">
      <Kpi
        label="Unique customers"
        value={unique === undefined ? undefined : formatCount(unique)}
        note="All branches"
        testId="kpi-unique-customers"
        waiting={waiting}
      />
      <Kpi
        label="Loyal customers"
        value={figures === null ? undefined : formatCount(figures.loyal_customers)}
        note={`${DEFAULT_LOYAL_MIN_PURCHASES} or more purchases`}
        testId="kpi-loyal-customers"
        waiting={waiting}
      />
      <Kpi
        label="Purchases"
        value={figures === null ? undefined : formatCount(figures.purchases)}
        note="All time, all branches"
        testId="kpi-purchases"
        waiting={waiting}
      />
      <Kpi
        label="Revenue"
        value={figures === null ? undefined : formatMoney(figures.revenue)}
        note="All time, all branches"
        testId="kpi-revenue"
        waiting={waiting}
      />
    </div>
  )
}
