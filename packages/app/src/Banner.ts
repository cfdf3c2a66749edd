import { localAdminKeyFile } from "@icash/auth"
import { CashRegisterPort } from "@icash/cash-register"
import { describeDatabase } from "@icash/persistence"
import { portConfig } from "@icash/runtime"
import { StoreAnalyticsPort } from "@icash/store-analytics"
import { WebPortConfig } from "@icash/web"
import { Console, Effect, Layer } from "effect"

/** Tells the person who ran `npm start` where everything is. */
export const BannerLive = Layer.effectDiscard(
  Effect.gen(function*() {
    const cashRegister = `http://localhost:${yield* portConfig(CashRegisterPort)}`
    const storeAnalytics = `http://localhost:${yield* portConfig(StoreAnalyticsPort)}`
    const dashboard = `http://localhost:${yield* WebPortConfig}`
    const keyFile = yield* localAdminKeyFile
    yield* Console.log(
      [
        "",
        "iCash is running (Ctrl-C stops it)",
        `  Dashboard         ${dashboard}      cashier screen ${dashboard}/cashier`,
        `  Cash Register     ${cashRegister}      API docs ${cashRegister}/docs`,
        `  Store Analytics   ${storeAnalytics}      API docs ${storeAnalytics}/docs`,
        `  Database          ${yield* describeDatabase}`,
        "  Demo purchases    npm start -- --simulate [RATE]   (tills ringing RATE purchases/s, default 5)",
        `  Admin API key     ${keyFile} (yours only; more keys: npm run keys -- --help)`,
        `                    curl -H "Authorization: Bearer $(cat ${keyFile})" ${cashRegister}/branches`,
        ""
      ].join("\n")
    )
  })
)
