import { Layer } from "effect"
import { AnalyticsRepo } from "./AnalyticsRepo.js"
import { ApiKeysRepo } from "./ApiKeysRepo.js"
import { CatalogRepo } from "./CatalogRepo.js"
import { PurchasesRepo } from "./PurchasesRepo.js"

/** Every SQL repository; needs a SqlClient. Tests substitute `InMemoryDatabaseLive` from `./testing`. */
export const RepositoriesLive = Layer.mergeAll(
  CatalogRepo.Default,
  PurchasesRepo.Default,
  AnalyticsRepo.Default,
  ApiKeysRepo.Default
)
