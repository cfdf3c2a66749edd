import { DatabaseLive, RepositoriesLive } from "@icash/persistence"
import { runMain } from "@icash/runtime"
import { Layer } from "effect"
import { StoreAnalyticsServerLive } from "./Http.js"

StoreAnalyticsServerLive.pipe(Layer.provide(RepositoriesLive), Layer.provide(DatabaseLive), runMain("store-analytics"))
