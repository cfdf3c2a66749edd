import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { nodeServerLive, serveApi } from "@icash/runtime"
import { ConfigProvider, Deferred, Effect, Fiber, Layer, Schema } from "effect"
import http from "node:http"
import { createServer } from "node:net"

const freePort = Effect.async<number>((resume) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address() as { port: number }
    probe.close(() => resume(Effect.succeed(port)))
  })
})

/**
 * What a client gets from `url` on a connection of its own: the status and body, or the error's code
 * when nothing answered within 2 s.
 */
const get = (url: string) =>
  Effect.async<{ status?: number; retryAfter?: string | null; body?: string; error?: string }>((resume) => {
    const request = http.get(url, { agent: false, timeout: 2_000 }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () =>
        resume(Effect.succeed({
          status: response.statusCode!,
          retryAfter: response.headers["retry-after"] ?? null,
          body
        })))
    })
    request.on("timeout", () => request.destroy(Object.assign(new Error("no answer"), { code: "TIMEOUT" })))
    request.on(
      "error",
      (error: Error & { code?: string }) => resume(Effect.succeed({ error: error.code ?? error.name }))
    )
  })

const withPort = (port: number) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["TEST_PORT", String(port)], ["HOST", "127.0.0.1"]])))

const options = { service: "test", portVariable: "TEST_PORT", defaultPort: 0 }

class PingApi extends HttpApi.make("ping").add(
  HttpApiGroup.make("ping").add(HttpApiEndpoint.get("ping", "/ping").addSuccess(Schema.String))
) {}

describe("a service's HTTP server while it starts", () => {
  it.scoped("answers 503 with Retry-After, not silence, between listening and serving", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      // the platform's server listens as soon as it is built; nothing is served on it yet
      yield* Layer.build(nodeServerLive(options)).pipe(withPort(port))
      expect(yield* get(`http://127.0.0.1:${port}/anything`)).toEqual({
        status: 503,
        retryAfter: "1",
        body: JSON.stringify({
          message: "the service is starting; retry after Retry-After seconds",
          _tag: "ServiceUnavailable"
        })
      })
    }))

  it.scoped("answers once an app is served, and only with it", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const served = HttpServer.serve(HttpServerResponse.text("served")).pipe(Layer.provide(nodeServerLive(options)))
      yield* Layer.build(served).pipe(withPort(port))
      expect(yield* get(`http://127.0.0.1:${port}/`)).toMatchObject({ status: 200, body: "served" })
    }))

  it.scoped("does not listen before the API's handlers are built, then answers at once", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const building = yield* Deferred.make<void>()
      const built = yield* Deferred.make<void>()
      // handlers whose layer takes its time, as a catalogue or the keys loading from the database do
      const handlers = HttpApiBuilder.group(PingApi, "ping", (h) => h.handle("ping", () => Effect.succeed("pong")))
        .pipe(
          Layer.provide(
            Layer.effectDiscard(Effect.zipRight(Deferred.succeed(building, undefined), Deferred.await(built)))
          )
        )
      const service = serveApi(HttpApiBuilder.api(PingApi).pipe(Layer.provide(handlers)), options)
      const running = yield* Effect.fork(Layer.launch(service).pipe(withPort(port)))
      yield* Deferred.await(building)
      expect(yield* get(`http://127.0.0.1:${port}/ping`)).toEqual({ error: "ECONNREFUSED" })
      yield* Deferred.succeed(built, undefined)
      const answer = yield* get(`http://127.0.0.1:${port}/ping`).pipe(
        Effect.repeat({ until: (answer) => answer.error === undefined, times: 100 })
      )
      expect(answer).toMatchObject({ status: 200, body: JSON.stringify("pong") })
      yield* Fiber.interrupt(running)
    }))
})
