import { useEffect, useState } from "react"
import { useThrottled } from "../hooks.js"
import type { LiveState } from "../live.js"
import { Card, ErrorMessage } from "../ui.js"
import { Kpis } from "./Kpis.js"
import { LoyalCustomers } from "./LoyalCustomers.js"
import { SalesCharts } from "./SalesCharts.js"
import { TopProductsCard } from "./TopProducts.js"

/** While the stream is down, what it would have announced is fetched this often instead. */
const POLL_WITHOUT_STREAM_MS = 15_000

/**
 * The owner's view: the live figures as they arrive, and what the stream does not carry (charts,
 * tables) fetched again when it reports a change, at most once a second.
 */
export function OwnerView(props: { readonly live: LiveState }) {
  const changes = useThrottled(props.live.changes, 1000)
  const [polls, setPolls] = useState(0)
  const streaming = props.live.status === "live"
  useEffect(() => {
    if (streaming) return
    const timer = setInterval(() => setPolls((n) => n + 1), POLL_WITHOUT_STREAM_MS)
    return () => clearInterval(timer)
  }, [streaming])
  const refresh = changes + polls
  // a key that may not read the analytics (a register's): the server's words, not four failing cards
  if (props.live.refusal !== null) {
    return (
      <div className="owner" data-testid="owner-view">
        <Card title="Owner dashboard" testId="owner-refused">
          <ErrorMessage what="This API key cannot see the analytics" error={props.live.refusal} />
        </Card>
      </div>
    )
  }
  return (
    <div className="owner" data-testid="owner-view">
      <Kpis live={props.live} refresh={refresh} />
      <SalesCharts refresh={refresh} />
      <div className="grid-2">
        <TopProductsCard live={props.live} refresh={refresh} />
        <LoyalCustomers refresh={refresh} />
      </div>
    </div>
  )
}
