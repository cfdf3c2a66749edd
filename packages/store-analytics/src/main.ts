import { DatabaseLive } from "@icash/persistence"
import { runMain } from "@icash/runtime"
import { Layer } from "effect"
import { StoreAnalyticsServerLive } from "./Http.js"

StoreAnalyticsServerLive.pipe(Layer.provide(DatabaseLive), runMain)
