import { type MouseEvent, useCallback, useEffect, useState } from "react"
import { CashierView } from "./cashier/CashierView.js"
import { formatTime } from "./format.js"
import { type LiveState, type LiveStatus, useLiveFigures } from "./live.js"
import { OwnerView } from "./owner/OwnerView.js"
import { useServices } from "./services.js"

type View = "owner" | "cashier"

const PATHS: Record<View, string> = { owner: "/", cashier: "/cashier" }
const TITLES: Record<View, string> = { owner: "Owner dashboard", cashier: "Cashier" }

const viewOf = (pathname: string): View => (pathname.replace(/\/+$/, "") === "/cashier" ? "cashier" : "owner")

/** The page's two views, each at its own path (`/` and `/cashier`), switched without a reload. */
const useView = (): [View, (view: View) => void] => {
  const [view, setView] = useState<View>(() => viewOf(window.location.pathname))
  useEffect(() => {
    const onPop = () => setView(viewOf(window.location.pathname))
    window.addEventListener("popstate", onPop)
    return () => window.removeEventListener("popstate", onPop)
  }, [])
  const go = useCallback((next: View) => {
    if (viewOf(window.location.pathname) !== next) window.history.pushState(null, "", PATHS[next])
    setView(next)
  }, [])
  return [view, go]
}

const BADGES: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  refused: "Not live"
}

function LiveBadge(props: { readonly live: LiveState }) {
  const { status, receivedAt } = props.live
  const text = BADGES[status]
  const title = props.live.refusal ??
    (receivedAt === null ? "No live figures received yet" : `Last update ${formatTime(receivedAt)}`)
  return (
    <span className={`live-badge live-${status}`} data-testid="live-status" data-status={status} title={title}>
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  )
}

export function App() {
  const { apiKey, config, signOut } = useServices()
  const [view, go] = useView()
  // one stream for the page's lifetime: switching views does not reconnect
  const live = useLiveFigures(config.store_analytics_url, apiKey, signOut)

  useEffect(() => {
    document.title = `${TITLES[view]} · iCash`
  }, [view])

  const link = (target: View) => (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return
    event.preventDefault()
    go(target)
  }

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">i</span>
          <span className="brand-name">iCash</span>
        </div>
        <nav className="tabs" aria-label="Views">
          {(["owner", "cashier"] as const).map((target) => (
            <a
              key={target}
              href={PATHS[target]}
              className={`tab ${view === target ? "tab-active" : ""}`}
              aria-current={view === target ? "page" : undefined}
              onClick={link(target)}
            >
              {TITLES[target]}
            </a>
          ))}
        </nav>
        <LiveBadge live={live} />
        <button type="button" className="sign-out" onClick={() => signOut()} data-testid="sign-out">
          Sign out
        </button>
      </header>
      <main className="content">
        {view === "owner" ? <OwnerView live={live} /> : <CashierView />}
      </main>
    </div>
  )
}
