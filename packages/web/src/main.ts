import { runMain } from "@icash/runtime"
import { Config } from "effect"
import { builtAssetsDir, serviceLocationsConfig, WebServerLive } from "./WebServer.js"

// The dashboard alone (docker compose's `web`): the built page and /config.json, which points the
// browser at the services' ports (the host ports they are published on) on the host it loaded the page from.
WebServerLive({
  assets: builtAssetsDir(),
  services: serviceLocationsConfig({
    cashRegister: Config.port("CASH_REGISTER_PORT").pipe(Config.withDefault(8000)),
    storeAnalytics: Config.port("STORE_ANALYTICS_PORT").pipe(Config.withDefault(8001))
  })
}).pipe(runMain("web"))
