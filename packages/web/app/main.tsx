import { Exit } from "effect"
import { StrictMode } from "react"
import { createRoot } from "react-dom/client"
import { describeError } from "./format.js"
import { loadConfig, runtime } from "./services.js"
import { Session } from "./SignIn.js"
import "./styles.css"

const root = createRoot(document.getElementById("root")!)

// The page first asks the server that served it where the services are (/config.json).
runtime.runPromiseExit(loadConfig).then((config) => {
  if (Exit.isFailure(config)) {
    root.render(
      <div className="boot-error" role="alert">
        <h1>iCash</h1>
        <p>The dashboard could not load its configuration (/config.json).</p>
        <p className="muted">{describeError(config.cause._tag === "Fail" ? config.cause.error : config.cause)}</p>
        <button type="button" className="button" onClick={() => window.location.reload()}>Reload</button>
      </div>
    )
    return
  }
  root.render(
    <StrictMode>
      <Session config={config.value} />
    </StrictMode>
  )
})
