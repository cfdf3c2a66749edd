import type { TopProduct } from "@icash/domain"
import { useState } from "react"
import { formatCount, formatMoney } from "../format.js"
import { useEffectResult, valueOf } from "../hooks.js"
import type { LiveState } from "../live.js"
import { useServices } from "../services.js"
import { Card, Empty, ErrorMessage, Loading } from "../ui.js"

const LIMITS = [3, 5, 10] as const

/**
 * The best sellers by units sold. Products that sold the same share a rank and are marked as tied;
 * every product tied at the cut-off is listed, so there may be more rows than ranks.
 */
export function TopProductsCard(props: { readonly live: LiveState; readonly refresh: number }) {
  const { analytics } = useServices()
  const [limit, setLimit] = useState<number>(LIMITS[0])
  const liveTop = props.live.figures?.top_products
  // the stream carries the top products at its own limit: other limits are fetched when it moves
  const fromStream = liveTop !== undefined && liveTop.limit === limit
  const fetched = useEffectResult(
    () => analytics.analytics.topProducts({ urlParams: { limit } }),
    [limit, fromStream ? "live" : props.refresh]
  )
  const products = fromStream ? liveTop.products : valueOf(fetched)?.products

  const actions = (
    <label className="field field-inline">
      <span className="field-label">Show top</span>
      <select value={limit} onChange={(e) => setLimit(Number(e.target.value))} data-testid="top-limit">
        {LIMITS.map((n) => <option key={n} value={n}>{n}</option>)}
      </select>
    </label>
  )

  return (
    <Card
      title="Top products"
      subtitle="By units sold, all branches; equal sales share a rank"
      actions={actions}
      testId="top-products"
    >
      {products === undefined
        ? (fetched._tag === "Failure"
          ? <ErrorMessage what="Top products" error={fetched.error} onRetry={fetched.reload} />
          : <Loading label="Loading top products…" />)
        : products.length === 0
        ? <Empty>Nothing sold yet.</Empty>
        : <TopTable products={products} />}
    </Card>
  )
}

function TopTable(props: { readonly products: ReadonlyArray<TopProduct> }) {
  const perRank = new Map<number, number>()
  for (const p of props.products) perRank.set(p.rank, (perRank.get(p.rank) ?? 0) + 1)
  return (
    <table className="table">
      <thead>
        <tr>
          <th className="rank-col">Rank</th>
          <th>Product</th>
          <th className="num">Units sold</th>
          <th className="num">Revenue</th>
        </tr>
      </thead>
      <tbody>
        {props.products.map((p, i) => {
          const tied = (perRank.get(p.rank) ?? 0) > 1
          const firstOfRank = i === 0 || props.products[i - 1]!.rank !== p.rank
          return (
            <tr
              key={p.product_id}
              className={firstOfRank ? "" : "row-tied"}
              data-testid="top-row"
              data-rank={p.rank}
              data-tied={tied}
            >
              <td className="rank-col">
                <span className={`rank rank-${Math.min(p.rank, 4)}`} data-testid="top-rank">{p.rank}</span>
                {tied && <span className="pill" title={`Tied for rank ${p.rank}`}>tie</span>}
              </td>
              <td className="cap" data-testid="top-name">{p.product_name}</td>
              <td className="num" data-testid="top-units">{formatCount(p.units_sold)}</td>
              <td className="num" data-testid="top-revenue">{formatMoney(p.revenue)}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
