import { type Branch, type BranchId, MAX_SALES_BUCKETS, type Sales, sumCents } from "@icash/domain"
import { DateTime, Effect } from "effect"
import { useMemo, useState } from "react"
import { Area, AreaChart, Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts"
import { bucketLabel, bucketTitle, formatCount, formatDay, formatMoney } from "../format.js"
import { type Reloadable, type Result, useEffectResult, valueOf } from "../hooks.js"
import { useServices } from "../services.js"
import { Card, Empty, ErrorMessage, Loading } from "../ui.js"

type Preset = "24h" | "7d" | "30d" | "12m" | "custom"

const startOfDay = (now: Date, days: number) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + days)

const PRESETS: Record<Exclude<Preset, "custom">, {
  readonly label: string
  readonly bucket: "hour" | "day"
  readonly from: (now: Date) => Date
}> = {
  "24h": {
    label: "Last 24 hours",
    bucket: "hour",
    from: (now) => {
      const hour = new Date(now)
      hour.setMinutes(0, 0, 0)
      return new Date(hour.getTime() - 23 * 3_600_000)
    }
  },
  "7d": { label: "Last 7 days", bucket: "day", from: (now) => startOfDay(now, -6) },
  "30d": { label: "Last 30 days", bucket: "day", from: (now) => startOfDay(now, -29) },
  "12m": { label: "Last 12 months", bucket: "day", from: (now) => startOfDay(now, -364) }
}

interface Range {
  readonly bucket: "hour" | "day"
  /** Computed when fetching, so that a refresh moves with the clock. */
  readonly from: () => Date
  readonly to: () => Date | undefined
}

/** A range from two `yyyy-mm-dd` dates of the page's time zone, both days included; or why not. */
const customRange = (from: string, to: string): Range | string => {
  const parse = (text: string) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
    return match === null ? undefined : new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  }
  const start = parse(from)
  const end = parse(to)
  if (start === undefined || end === undefined) return "Choose both dates."
  const endExclusive = startOfDay(end, 1)
  const days = Math.round((endExclusive.getTime() - start.getTime()) / 86_400_000)
  if (days <= 0) return "The first date must not be after the last one."
  if (days > MAX_SALES_BUCKETS.day) return `Choose at most ${MAX_SALES_BUCKETS.day} days.`
  return { bucket: "day", from: () => start, to: () => endExclusive }
}

const isoDate = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`

interface Point {
  readonly label: string
  readonly title: string
  readonly purchases: number
  /** For plotting only; tooltips and totals use the exact cents. */
  readonly revenue: number
  readonly revenueCents: number
}

const pointsOf = (sales: Sales): Array<Point> =>
  sales.buckets.map((b) => ({
    label: bucketLabel(b.local_start, sales.bucket),
    title: bucketTitle(b.local_start, sales.bucket),
    purchases: b.purchases,
    revenue: b.revenue / 100,
    revenueCents: b.revenue
  }))

const totalsOf = (sales: Sales) => ({
  purchases: sales.buckets.reduce((n, b) => n + b.purchases, 0),
  revenue: sumCents(sales.buckets.map((b) => b.revenue))
})

function PointTooltip(props: { readonly active?: boolean; readonly payload?: ReadonlyArray<{ payload?: unknown }> }) {
  const point = props.payload?.[0]?.payload as Point | undefined
  if (props.active !== true || point === undefined) return null
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-title">{point.title}</div>
      <div>{formatCount(point.purchases)} purchases</div>
      <div>{formatMoney(point.revenueCents)} revenue</div>
    </div>
  )
}

/**
 * Five round ticks from 0 covering `max` (3.78 → 0, 1, 2, 3, 4; 37 → 0, 10, ..., 40), whole numbers
 * only for counts.
 */
const axisTicks = (max: number, whole: boolean): Array<number> => {
  const quarter = Math.max(max, whole ? 4 : 0.04) / 4
  const power = 10 ** Math.floor(Math.log10(quarter))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= quarter && (!whole || Number.isInteger(s)))
    ?? 10 * power
  return [0, 1, 2, 3, 4].map((i) => Number((i * step).toPrecision(12)))
}

const axisMoney = (value: number) =>
  value >= 1000 ? `${(value / 1000).toLocaleString("en-US", { maximumFractionDigits: 1 })}k` : String(value)

/** Purchases and revenue per hour or day (sales of the whole chain or one branch), and per branch. */
export function SalesCharts(props: { readonly refresh: number }) {
  const { analytics, register } = useServices()
  const [preset, setPreset] = useState<Preset>("24h")
  const [branch, setBranch] = useState<string>("all")
  const [custom, setCustom] = useState(() => {
    const now = new Date()
    return { from: isoDate(startOfDay(now, -29)), to: isoDate(now) }
  })
  const tz = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, [])
  // from a period without sales to the 30 days up to the latest sale, as custom dates
  const showUpTo = (lastSale: Date) => {
    setCustom({ from: isoDate(startOfDay(lastSale, -29)), to: isoDate(lastSale) })
    setPreset("custom")
  }
  const branches = useEffectResult(() => register.catalog.listBranches(), [])

  const range: Range | string = preset === "custom"
    ? customRange(custom.from, custom.to)
    : { bucket: PRESETS[preset].bucket, from: () => PRESETS[preset].from(new Date()), to: () => undefined }
  const rangeKey = typeof range === "string" ? range : preset === "custom" ? `${custom.from}/${custom.to}` : preset

  const query = (branchId: BranchId | undefined) => {
    if (typeof range === "string") return Effect.dieMessage(range)
    const to = range.to()
    return analytics.analytics.sales({
      urlParams: {
        from: DateTime.unsafeMake(range.from()),
        ...(to === undefined ? {} : { to: DateTime.unsafeMake(to) }),
        bucket: range.bucket,
        tz,
        ...(branchId === undefined ? {} : { branch_id: branchId })
      }
    })
  }

  const selectedBranch = valueOf(branches)?.find((b) => String(b.id) === branch)
  const overTime = useEffectResult(
    () => query(selectedBranch?.id),
    [rangeKey, selectedBranch?.id, props.refresh, tz]
  )
  const branchList = valueOf(branches)
  const perBranch = useEffectResult(
    () =>
      branchList === undefined
        ? Effect.succeed(undefined)
        : Effect.forEach(
          branchList,
          (b) => Effect.map(query(b.id), (sales) => ({ branch: b, ...totalsOf(sales) })),
          { concurrency: 4 }
        ),
    [rangeKey, branchList, props.refresh, tz]
  )

  const controls = (
    <div className="controls">
      <label className="field">
        <span className="field-label">Period</span>
        <select value={preset} onChange={(e) => setPreset(e.target.value as Preset)} data-testid="sales-range">
          {Object.entries(PRESETS).map(([key, p]) => <option key={key} value={key}>{p.label}</option>)}
          <option value="custom">Custom dates…</option>
        </select>
      </label>
      {preset === "custom" && (
        <>
          <label className="field">
            <span className="field-label">From</span>
            <input
              type="date"
              value={custom.from}
              onChange={(e) => setCustom((c) => ({ ...c, from: e.target.value }))}
            />
          </label>
          <label className="field">
            <span className="field-label">To</span>
            <input type="date" value={custom.to} onChange={(e) => setCustom((c) => ({ ...c, to: e.target.value }))} />
          </label>
        </>
      )}
      <label className="field">
        <span className="field-label">Branch</span>
        <select value={branch} onChange={(e) => setBranch(e.target.value)} data-testid="sales-branch">
          <option value="all">All branches</option>
          {(branchList ?? []).map((b) => <option key={b.id} value={String(b.id)}>{b.name}</option>)}
        </select>
      </label>
    </div>
  )

  return (
    <div className="grid-sales">
      <Card
        title="Sales over time"
        subtitle={<SalesSubtitle result={overTime} range={range} branch={selectedBranch} />}
        actions={controls}
        testId="sales-over-time"
      >
        {typeof range === "string"
          ? <Empty>{range}</Empty>
          : <OverTime result={overTime} onShowUpTo={showUpTo} />}
      </Card>
      <Card title="By branch" subtitle="Same period" testId="sales-by-branch">
        {typeof range === "string"
          ? <Empty>{range}</Empty>
          : <ByBranch result={perBranch} branches={branches} />}
      </Card>
    </div>
  )
}

function SalesSubtitle(
  props: { readonly result: Result<Sales>; readonly range: Range | string; readonly branch: Branch | undefined }
) {
  const sales = valueOf(props.result)
  if (sales === undefined || typeof props.range === "string") return <>{props.branch?.name ?? "All branches"}</>
  const totals = totalsOf(sales)
  return (
    <>
      {props.branch?.name ?? "All branches"} ·{" "}
      <span data-testid="sales-total-purchases">
        {formatCount(totals.purchases)}
      </span>{" "}
      {totals.purchases === 1 ? "purchase" : "purchases"} ·{" "}
      <span data-testid="sales-total-revenue">{formatMoney(totals.revenue)}</span> revenue{" "}
      <span className="muted">(per {sales.bucket}, {sales.tz})</span>
    </>
  )
}

/** An empty period: there are no sales yet, or it says when the latest were and offers to show them. */
function NoSales(
  props: { readonly lastSaleAt: DateTime.Utc | null; readonly onShowUpTo: (lastSale: Date) => void }
) {
  if (props.lastSaleAt === null) return <Empty>No purchases yet.</Empty>
  const lastSale = DateTime.toDate(props.lastSaleAt)
  return (
    <Empty>
      <span>
        No purchases in this period. The latest were on{" "}
        <span data-testid="sales-last-sale">{formatDay(lastSale)}</span>.
      </span>
      <button
        type="button"
        className="button button-small"
        onClick={() => props.onShowUpTo(lastSale)}
        data-testid="sales-show-latest"
      >
        Show the 30 days up to then
      </button>
    </Empty>
  )
}

function OverTime(props: { readonly result: Reloadable<Sales>; readonly onShowUpTo: (lastSale: Date) => void }) {
  const sales = valueOf(props.result)
  const points = useMemo(() => (sales === undefined ? [] : pointsOf(sales)), [sales])
  if (sales === undefined) {
    return props.result._tag === "Failure"
      ? <ErrorMessage what="Sales" error={props.result.error} onRetry={props.result.reload} />
      : <Loading label="Loading sales…" />
  }
  const empty = points.every((p) => p.purchases === 0)
  const revenueTicks = axisTicks(Math.max(0, ...points.map((p) => p.revenue)), false)
  const purchaseTicks = axisTicks(Math.max(0, ...points.map((p) => p.purchases)), true)
  return (
    <div className="charts" data-testid="sales-charts" data-points={points.length}>
      {props.result._tag === "Failure" && (
        <ErrorMessage what="Could not refresh" error={props.result.error} onRetry={props.result.reload} />
      )}
      {empty && <NoSales lastSaleAt={sales.last_sale_at} onShowUpTo={props.onShowUpTo} />}
      <div className="chart">
        <div className="chart-title">Revenue</div>
        <ResponsiveContainer width="100%" height={200}>
          <AreaChart data={points} syncId="sales" margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            <defs>
              <linearGradient id="revenueFill" x1="0" y1="0" x2="0" y2="1">
                <stop offset="0%" stopColor="var(--accent)" stopOpacity={0.35} />
                <stop offset="100%" stopColor="var(--accent)" stopOpacity={0.02} />
              </linearGradient>
            </defs>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--grid)" />
            <XAxis dataKey="label" minTickGap={24} tick={{ fontSize: 12 }} tickLine={false} />
            <YAxis
              width={52}
              tick={{ fontSize: 12 }}
              tickFormatter={axisMoney}
              tickLine={false}
              axisLine={false}
              domain={[0, revenueTicks[4]!]}
              ticks={revenueTicks}
            />
            <Tooltip content={<PointTooltip />} />
            <Area
              type="linear"
              dataKey="revenue"
              stroke="var(--accent)"
              strokeWidth={2}
              fill="url(#revenueFill)"
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      </div>
      <div className="chart">
        <div className="chart-title">Purchases</div>
        <ResponsiveContainer width="100%" height={160}>
          <BarChart data={points} syncId="sales" margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--grid)" />
            <XAxis dataKey="label" minTickGap={24} tick={{ fontSize: 12 }} tickLine={false} />
            <YAxis
              width={52}
              tick={{ fontSize: 12 }}
              tickLine={false}
              axisLine={false}
              domain={[0, purchaseTicks[4]!]}
              ticks={purchaseTicks}
            />
            <Tooltip content={<PointTooltip />} cursor={{ fill: "var(--hover)" }} />
            <Bar dataKey="purchases" fill="var(--accent-2)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </div>
  )
}

interface BranchTotals {
  readonly branch: Branch
  readonly purchases: number
  readonly revenue: number
}

function BranchTooltip(props: { readonly active?: boolean; readonly payload?: ReadonlyArray<{ payload?: unknown }> }) {
  const row = props.payload?.[0]?.payload as (BranchTotals & { revenueCents: number }) | undefined
  if (props.active !== true || row === undefined) return null
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-title">{row.branch.name}</div>
      <div>{formatCount(row.purchases)} purchases</div>
      <div>{formatMoney(row.revenueCents)} revenue</div>
    </div>
  )
}

function ByBranch(props: {
  readonly result: Result<ReadonlyArray<BranchTotals> | undefined>
  readonly branches: Reloadable<ReadonlyArray<Branch>>
}) {
  const rows = valueOf(props.result)
  if (props.branches._tag === "Failure") {
    return <ErrorMessage what="Branches" error={props.branches.error} onRetry={props.branches.reload} />
  }
  if (rows === undefined) {
    return props.result._tag === "Failure"
      ? <ErrorMessage what="Sales" error={props.result.error} />
      : <Loading label="Loading branches…" />
  }
  if (rows.length === 0) return <Empty>The chain has no branches yet.</Empty>
  const data = rows.map((r) => ({ ...r, name: r.branch.name, revenueCents: r.revenue, revenue: r.revenue / 100 }))
  const ticks = axisTicks(Math.max(0, ...data.map((d) => d.revenue)), false)
  return (
    <div data-testid="branch-totals">
      <ResponsiveContainer width="100%" height={Math.max(120, 40 * rows.length + 30)}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="var(--grid)" />
          <XAxis
            type="number"
            tick={{ fontSize: 12 }}
            tickFormatter={axisMoney}
            tickLine={false}
            domain={[0, ticks[4]!]}
            ticks={ticks}
          />
          <YAxis type="category" dataKey="name" width={110} tick={{ fontSize: 12 }} tickLine={false} />
          <Tooltip content={<BranchTooltip />} cursor={{ fill: "var(--hover)" }} />
          <Bar dataKey="revenue" fill="var(--accent)" radius={[0, 3, 3, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <table className="table table-compact">
        <thead>
          <tr>
            <th>Branch</th>
            <th className="num">Purchases</th>
            <th className="num">Revenue</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.branch.id} data-testid="branch-row" data-branch-id={r.branch.id}>
              <td>{r.branch.name}</td>
              <td className="num" data-testid="branch-purchases">{formatCount(r.purchases)}</td>
              <td className="num" data-testid="branch-revenue">{formatMoney(r.revenue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
