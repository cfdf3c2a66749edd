import type { ApiKeyId } from "@icash/domain"
import { type ActiveKey, API_KEYS_CHANNEL, ApiKeysRepo, Notifications } from "@icash/persistence"
import { Effect, Option, Ref, Schedule, Stream } from "effect"
import { secretId, secretMatches } from "./Secret.js"

/** How often the last-used times of the keys are written: one statement for all requests meanwhile. */
const LAST_USED_EVERY = "10 seconds"

/**
 * The keys not revoked, in memory, so that checking a request costs a hash and no query. The set
 * reloads when the database announces a change (a key made or revoked, by any process: a revoked
 * key stops working on every service within moments of its commit) and after a lost connection.
 * Which keys were used is written every few seconds.
 */
export class KeyRegistry extends Effect.Service<KeyRegistry>()("auth/KeyRegistry", {
  scoped: Effect.gen(function*() {
    const repo = yield* ApiKeysRepo
    const notifications = yield* Notifications

    // `verified`: the secrets already checked against this set's hashes, so a key's later requests
    // cost no hash; a reload (a revocation) starts it afresh.
    const load = Effect.map(repo.active(), (keys) => ({
      byId: new Map(keys.map((key) => [key.id, key])),
      verified: new Map<string, ActiveKey>()
    })).pipe(Effect.withSpan("KeyRegistry.load"))
    const current = yield* Ref.make(yield* load)
    const reloading = yield* Effect.makeSemaphore(1)
    const reload = reloading.withPermits(1)(Effect.flatMap(load, (loaded) => Ref.set(current, loaded)))

    yield* notifications.listen(API_KEYS_CHANNEL).pipe(
      Stream.runForEach(() =>
        reload.pipe(Effect.catchAllCause((cause) => Effect.logWarning("could not reload the API keys", cause)))
      ),
      Effect.forkScoped
    )

    const used = new Set<ApiKeyId>()
    const writeLastUsed = Effect.suspend(() => {
      const ids = [...used]
      used.clear()
      return repo.touch(ids)
    }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("could not record when keys were last used", cause)))
    yield* Effect.addFinalizer(() => writeLastUsed)
    yield* Effect.forkScoped(Effect.schedule(writeLastUsed, Schedule.spaced(LAST_USED_EVERY)))

    /** The key this secret is, when it is one and not revoked. */
    const authenticate = (secret: string): Effect.Effect<ActiveKey | undefined> =>
      Effect.flatMap(Ref.get(current), ({ byId, verified }) => {
        const seen = verified.get(secret)
        if (seen !== undefined) {
          used.add(seen.id)
          return Effect.succeed(seen)
        }
        const id = secretId(secret)
        if (id === undefined) return Effect.succeed(undefined)
        const known = byId.get(id)
        // a key made a moment ago may not have been announced yet: one primary-key read finds it
        const key = known !== undefined
          ? Effect.succeed(known)
          : Effect.map(repo.findActive(id), Option.getOrUndefined)
        return Effect.map(key, (key) => {
          if (key === undefined || !secretMatches(secret, key)) return undefined
          if (key === known) verified.set(secret, key)
          used.add(key.id)
          return key
        })
      })

    return { authenticate } as const
  })
}) {}
