import { Exit } from "effect"
import { StrictMode } from "react"
import { createRoot } from "react-dom/client"
import { App } from "./App.js"
import { describeError } from "./format.js"
import { loadConfig, makeServices, runtime, ServicesContext } from "./services.js"
import "./styles.css"

const root = createRoot(document.getElementById("root")!)

// The page first asks the server that served it where the services are (/config.json).
runtime.runPromiseExit(loadConfig).then(async (config) => {
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
  const services = await runtime.runPromise(makeServices(config.value))
  root.render(
    <StrictMode>
      <ServicesContext.Provider value={services}>
        <App />
      </ServicesContext.Provider>
    </StrictMode>
  )
})
