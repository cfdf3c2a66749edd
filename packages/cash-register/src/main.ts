import { DatabaseLive, RepositoriesLive } from "@icash/persistence"
import { runMain } from "@icash/runtime"
import { Layer } from "effect"
import { CashRegisterServerLive } from "./Http.js"

CashRegisterServerLive.pipe(Layer.provide(RepositoriesLive), Layer.provide(DatabaseLive), runMain("cash-register"))
