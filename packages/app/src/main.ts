import { NodeContext } from "@effect/platform-node"
import { CashRegisterServerLive } from "@icash/cash-register"
import { ApiKeysRepo, CatalogRepo, DatabaseLive, ImportRepo, RepositoriesLive } from "@icash/persistence"
import { runMain } from "@icash/runtime"
import { StoreAnalyticsServerLive } from "@icash/store-analytics"
import { Layer } from "effect"
import { BannerLive } from "./Banner.js"
import { FirstStartSeedLive, LocalAdminKeyLive } from "./FirstStart.js"
import { thenDemoSimulator } from "./Simulate.js"
import { WebLive } from "./Web.js"

// `npm start`: the database, the first-start seed, then both services and the dashboard in this one process.
// Each server is `fresh`: they must not share the HttpApi router their layers would otherwise memoize.
const ServersLive = Layer.mergeAll(
  Layer.fresh(CashRegisterServerLive),
  Layer.fresh(StoreAnalyticsServerLive),
  WebLive
)

BannerLive.pipe(
  thenDemoSimulator(process.argv.slice(2)),
  Layer.provide(ServersLive),
  Layer.provide(Layer.merge(FirstStartSeedLive, LocalAdminKeyLive)),
  Layer.provide(
    Layer.mergeAll(RepositoriesLive, ImportRepo.Default, CatalogRepo.Default, ApiKeysRepo.Default, NodeContext.layer)
  ),
  Layer.provide(DatabaseLive),
  runMain("icash")
)
