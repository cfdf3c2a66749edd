import { Exit } from "effect"
import { type FormEvent, useCallback, useMemo, useState } from "react"
import type { WebConfig } from "../src/WebConfig.js"
import { App } from "./App.js"
import { describeError } from "./format.js"
import { checkKey, makeServices, runtime, ServicesContext } from "./services.js"

const STORAGE_KEY = "icash.api-key"

/** The key signed in with on this browser, if any (none when storage is unavailable). */
const storedKey = (): string | undefined => {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? undefined
  } catch {
    return undefined
  }
}

const storeKey = (apiKey: string | undefined) => {
  try {
    if (apiKey === undefined) window.localStorage.removeItem(STORAGE_KEY)
    else window.localStorage.setItem(STORAGE_KEY, apiKey)
  } catch {
    // private mode: signed in until the page is closed
  }
}

/**
 * The dashboard with an API key: the one signed in with on this browser, else the one the server
 * gave (the local admin key, to a page opened on its own machine), else the sign-in screen's. Signing
 * out, or a key the server refuses (revoked), forgets it and returns to the sign-in screen.
 */
export function Session(props: { readonly config: WebConfig }) {
  const { config } = props
  const [apiKey, setApiKey] = useState(() => storedKey() ?? config.api_key)
  const [notice, setNotice] = useState<string>()
  const signOut = useCallback((message?: string) => {
    storeKey(undefined)
    setNotice(message === undefined ? undefined : `Signed out: ${message}`)
    setApiKey(undefined)
  }, [])
  const services = useMemo(
    () => (apiKey === undefined ? undefined : runtime.runSync(makeServices(config, apiKey, signOut))),
    [config, apiKey, signOut]
  )
  if (services === undefined) {
    return (
      <SignIn
        config={config}
        notice={notice}
        onSignIn={(key) => {
          storeKey(key)
          setApiKey(key)
        }}
      />
    )
  }
  return (
    <ServicesContext.Provider value={services}>
      <App />
    </ServicesContext.Provider>
  )
}

function SignIn(props: {
  readonly config: WebConfig
  readonly notice: string | undefined
  readonly onSignIn: (apiKey: string) => void
}) {
  const [apiKey, setApiKey] = useState("")
  const [checking, setChecking] = useState(false)
  const [problem, setProblem] = useState(props.notice)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const key = apiKey.trim()
    setChecking(true)
    runtime.runPromiseExit(checkKey(props.config, key)).then((exit) => {
      setChecking(false)
      if (Exit.isSuccess(exit)) props.onSignIn(key)
      else setProblem(describeError(exit.cause._tag === "Fail" ? exit.cause.error : exit.cause))
    })
  }

  return (
    <form className="boot-error sign-in" data-testid="sign-in" onSubmit={submit}>
      <h1>iCash</h1>
      <p className="muted">
        Sign in with an API key: an analyst key for the owner's view, a branch's register key for the cashier's screen.
        {" "}
        <span className="mono">npm run keys -- create --role analyst</span> makes one.
      </p>
      <label className="field">
        <span className="field-label">API key</span>
        <input
          type="password"
          className="input mono"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          autoComplete="current-password"
          spellCheck={false}
          autoFocus
          disabled={checking}
          data-testid="api-key"
        />
      </label>
      {problem !== undefined && (
        <div className="state state-error" role="alert" data-testid="sign-in-error">{problem}</div>
      )}
      <button
        type="submit"
        className="button button-primary"
        disabled={checking || apiKey.trim() === ""}
        data-testid="sign-in-button"
      >
        {checking ? "Checking…" : "Sign in"}
      </button>
    </form>
  )
}
