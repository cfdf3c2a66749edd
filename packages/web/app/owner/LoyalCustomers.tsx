import { DEFAULT_LOYAL_MIN_PURCHASES } from "@icash/domain"
import { useState } from "react"
import { formatCount } from "../format.js"
import { useEffectResult, valueOf } from "../hooks.js"
import { useServices } from "../services.js"
import { Card, Empty, ErrorMessage, Loading } from "../ui.js"

const PAGE_SIZES = [10, 25, 50, 100] as const

/**
 * Customers with at least `min` purchases, most purchases first, a page at a time (the API's
 * cursors: a stack of them makes "Previous" work). The search box filters the page shown.
 */
export function LoyalCustomers(props: { readonly refresh: number }) {
  const { analytics } = useServices()
  const [min, setMin] = useState(DEFAULT_LOYAL_MIN_PURCHASES)
  const [minText, setMinText] = useState(String(DEFAULT_LOYAL_MIN_PURCHASES))
  const [pageSize, setPageSize] = useState<number>(PAGE_SIZES[0])
  // cursors[i] opens page i (undefined: the first page)
  const [cursors, setCursors] = useState<ReadonlyArray<string | undefined>>([undefined])
  const [search, setSearch] = useState("")
  const cursor = cursors[cursors.length - 1]
  const page = useEffectResult(
    () =>
      analytics.analytics.loyalCustomers({
        urlParams: { min_purchases: min, limit: pageSize, ...(cursor === undefined ? {} : { cursor }) }
      }),
    [min, pageSize, cursor, props.refresh]
  )
  const restart = () => setCursors([undefined])
  const current = valueOf(page)
  const needle = search.trim().toLowerCase()
  const rows = (current?.customers ?? []).map((c, i) => ({ ...c, position: (cursors.length - 1) * pageSize + i + 1 }))
  const shown = needle === "" ? rows : rows.filter((c) => c.user_id.includes(needle))

  const actions = (
    <div className="controls">
      <label className="field field-inline">
        <span className="field-label">At least</span>
        <input
          type="number"
          min={1}
          max={1_000_000}
          value={minText}
          className="input input-narrow"
          data-testid="loyal-min"
          onChange={(e) => {
            setMinText(e.target.value)
            const n = Number(e.target.value)
            if (e.target.value.trim() !== "" && Number.isInteger(n) && n >= 1 && n <= 1_000_000) {
              setMin(n)
              restart()
            }
          }}
        />
        <span className="field-label">purchases</span>
      </label>
    </div>
  )

  return (
    <Card
      title="Loyal customers"
      subtitle={`Customers with ${min} or more purchases, most purchases first`}
      actions={actions}
      testId="loyal-customers"
    >
      <div className="toolbar">
        <input
          type="search"
          className="input search"
          placeholder="Filter this page by customer id"
          aria-label="Filter this page by customer id"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="loyal-search"
        />
      </div>
      {current === undefined
        ? (page._tag === "Failure"
          ? <ErrorMessage what="Loyal customers" error={page.error} onRetry={page.reload} />
          : <Loading label="Loading customers…" />)
        : (
          <>
            {page._tag === "Failure" && (
              <ErrorMessage what="Could not refresh" error={page.error} onRetry={page.reload} />
            )}
            {rows.length === 0
              ? <Empty>No customer has {min} or more purchases yet.</Empty>
              : shown.length === 0
              ? <Empty>No customer on this page matches “{search.trim()}”.</Empty>
              : (
                <table className="table" data-testid="loyal-table">
                  <thead>
                    <tr>
                      <th className="rank-col">#</th>
                      <th>Customer id</th>
                      <th className="num">Purchases</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((c) => (
                      <tr key={c.user_id} data-testid="loyal-row">
                        <td className="rank-col muted">{c.position}</td>
                        <td className="mono" data-testid="loyal-id">{c.user_id}</td>
                        <td className="num" data-testid="loyal-count">{formatCount(c.purchase_count)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            <div className="pager">
              <button
                type="button"
                className="button button-small"
                disabled={cursors.length === 1}
                onClick={() =>
                  setCursors((c) => c.slice(0, -1))}
              >
                ← Previous
              </button>
              <span className="muted" data-testid="loyal-page">Page {cursors.length}</span>
              <button
                type="button"
                className="button button-small"
                disabled={current.next_cursor === null}
                data-testid="loyal-next"
                onClick={() => {
                  const next = current.next_cursor
                  if (next !== null) {
                    setCursors((c) => [...c, next])
                  }
                }}
              >
                Next →
              </button>
              <label className="field field-inline">
                <span className="field-label">Rows</span>
                <select
                  value={pageSize}
                  onChange={(e) => {
                    setPageSize(Number(e.target.value))
                    restart()
                  }}
                >
                  {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
                </select>
              </label>
            </div>
          </>
        )}
    </Card>
  )
}
