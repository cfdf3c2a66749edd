import { CashRegisterPort } from "@icash/cash-register"
import { portConfig } from "@icash/runtime"
import { StoreAnalyticsPort } from "@icash/store-analytics"
import { builtAssetsDir, serviceLocationsConfig, WebServerLive } from "@icash/web"

/** The dashboard (dist/web/, built by scripts/build.mjs) on WEB_PORT, pointed at this process's two services. */
export const WebLive = WebServerLive({
  assets: builtAssetsDir(),
  services: serviceLocationsConfig({
    cashRegister: portConfig(CashRegisterPort),
    storeAnalytics: portConfig(StoreAnalyticsPort)
  })
})
