/**
 * The dashboard in headless Chromium (playwright-core), against the real thing: the program
 * `npm start` runs (dist/app.js, with the page built into dist/web/) on a fresh PostgreSQL database,
 * seeded from data/ on its first start, on free ports, with its data directory (its admin key) in a
 * temporary one. One browser for the whole file, which also knows the machine as `tablet.test`, a
 * name of the network (so /config.json gives it no key); each test opens its own pages. Screenshots
 * of both views land in screenshots/ (git-ignored).
 */
import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import {
  BranchId,
  CashRegisterApi,
  type Cents,
  customerId,
  LiveFigures,
  NewPurchase,
  NewPurchaseItem,
  ProductId,
  StoreAnalyticsApi,
  sumCents
} from "@icash/domain"
import { scopedTestDatabase, testEngines } from "@icash/persistence/testing"
import { Context, DateTime, Effect, Layer, Option, Schedule, Schema, Scope, Stream } from "effect"
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import pg from "pg"
import { type Browser, chromium, type Page } from "playwright-core"
import {
  built,
  freePort,
  repoRoot,
  runScript,
  startUserProcess,
  type UserProcess,
  waitUntilReady
} from "../../e2e/test/Processes.js"
import { formatCount, formatMoney } from "../app/format.js"

const screenshots = path.join(repoRoot, "screenshots")
const LAPTOP = { width: 1366, height: 900 }
const TABLET = { width: 820, height: 1180 }
const TIME_ZONE = "Europe/Paris"

class System extends Context.Tag("web-test/System")<System, {
  readonly web: string
  readonly cashRegister: string
  readonly storeAnalytics: string
  readonly databaseUrl: string
  readonly webPort: number
  /** The dashboard as a tablet on the network reaches it. */
  readonly tablet: string
  /** The admin key the program made on its first start, in its data directory. */
  readonly adminKey: string
  /** What the running program printed. */
  readonly output: () => string
  /** Kills the program as a crash would (its connections drop), or starts it again. */
  readonly crash: Effect.Effect<void>
  readonly start: Effect.Effect<void>
  readonly browser: Browser
}>() {}

const SystemLive = Layer.scoped(
  System,
  Effect.gen(function*() {
    const database = yield* scopedTestDatabase
    const [crPort, saPort, webPort] = [yield* freePort, yield* freePort, yield* freePort]
    const dataDir = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(path.join(tmpdir(), "icash-dashboard-"))),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      CASH_REGISTER_PORT: String(crPort),
      STORE_ANALYTICS_PORT: String(saPort),
      WEB_PORT: String(webPort),
      HOST: "127.0.0.1",
      LOG_LEVEL: "Warn",
      LOG_DIR: ""
    }
    const urls = {
      web: `http://127.0.0.1:${webPort}`,
      cashRegister: `http://127.0.0.1:${crPort}`,
      storeAnalytics: `http://127.0.0.1:${saPort}`
    }
    const scope = yield* Effect.scope
    yield* built
    let running: UserProcess | undefined
    const start = Effect.gen(function*() {
      running = yield* startUserProcess(process.execPath, ["dist/app.js"], env).pipe(Scope.extend(scope))
      yield* Effect.all([
        waitUntilReady(`${urls.cashRegister}/ready`),
        waitUntilReady(`${urls.storeAnalytics}/ready`),
        waitUntilReady(`${urls.web}/config.json`)
      ], { concurrency: "unbounded" })
    }).pipe(Effect.provide(FetchHttpClient.layer))
    yield* start
    const browser = yield* Effect.acquireRelease(
      Effect.promise(() =>
        chromium.launch({
          executablePath: "/usr/bin/chromium",
          args: ["--host-resolver-rules=MAP tablet.test 127.0.0.1"]
        })
      ),
      (browser) => Effect.promise(() => browser.close())
    )
    mkdirSync(screenshots, { recursive: true })
    return {
      ...urls,
      webPort,
      tablet: `http://tablet.test:${webPort}`,
      adminKey: readFileSync(path.join(dataDir, "admin.key"), "utf8").trim(),
      databaseUrl: database.url,
      output: () => running?.output() ?? "",
      crash: Effect.suspend(() => running?.stop("SIGKILL") ?? Effect.void),
      start,
      browser
    }
  })
).pipe(Layer.provideMerge(Layer.mergeAll(NodeContext.layer, FetchHttpClient.layer)))

/** The services' typed clients, with `apiKey` (the admin key by default). */
const clients = (apiKey?: string) =>
  Effect.gen(function*() {
    const system = yield* System
    const transformClient = HttpClient.mapRequest(HttpClientRequest.bearerToken(apiKey ?? system.adminKey))
    return {
      register: yield* HttpApiClient.make(CashRegisterApi, { baseUrl: system.cashRegister, transformClient }),
      analytics: yield* HttpApiClient.make(StoreAnalyticsApi, { baseUrl: system.storeAnalytics, transformClient })
    }
  })

/** `npm run keys -- <args>` on the test's database; its last line (a new key's secret). */
const keys = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { databaseUrl } = yield* System
    const { stdout } = yield* runScript("packages/auth/src/main.ts", args, { DATABASE_URL: databaseUrl })
    return stdout.trim().split("\n").at(-1)!
  })

/** The figures /analytics/stream sends on connect. */
const liveFigures = Effect.gen(function*() {
  const { adminKey, storeAnalytics } = yield* System
  const response = yield* HttpClient.execute(
    HttpClientRequest.get(`${storeAnalytics}/analytics/stream`).pipe(HttpClientRequest.bearerToken(adminKey))
  )
  const data = yield* response.stream.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.filter((line) => line.startsWith("data: ")),
    Stream.runHead
  )
  return Schema.decodeUnknownSync(Schema.parseJson(LiveFigures))(Option.getOrThrow(data).slice("data: ".length))
}).pipe(Effect.orDie)

interface Opened {
  readonly page: Page
  /** Console errors and warnings, and uncaught exceptions, of the page so far. */
  readonly problems: Array<string>
}

/** A page of the dashboard (at `origin`: this machine's by default) in a browser context of its own (closed with the test). */
const open = (pathname: string, viewport = LAPTOP, origin?: string) =>
  Effect.gen(function*() {
    const { browser, web } = yield* System
    const context = yield* Effect.acquireRelease(
      Effect.promise(() => browser.newContext({ viewport, timezoneId: TIME_ZONE, locale: "en-US" })),
      (context) => Effect.promise(() => context.close())
    )
    const page = yield* Effect.promise(() => context.newPage())
    const problems: Array<string> = []
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") {
        problems.push(`${message.type()}: ${message.text()}`)
      }
    })
    page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`))
    yield* Effect.promise(() => page.goto(`${origin ?? web}${pathname}`))
    return { page, problems } satisfies Opened
  })

/** Runs `check` until it passes, for what the page shows once its data arrive: generous, never a timing claim. */
const eventually = (check: () => Promise<void> | void, within = 20_000) =>
  Effect.promise(async () => {
    const deadline = Date.now() + within
    for (;;) {
      try {
        await check()
        return
      } catch (error) {
        if (Date.now() > deadline) throw error
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })

const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? "").trim()

const act = <A>(f: () => Promise<A>) => Effect.promise(f)

const screenshot = (page: Page, name: string) =>
  act(async () => {
    await page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)")
    await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true })
  })

/** The headline figures as the owner view shows them. */
const kpis = async (page: Page) => ({
  unique: await text(page, "kpi-unique-customers"),
  loyal: await text(page, "kpi-loyal-customers"),
  purchases: await text(page, "kpi-purchases"),
  revenue: await text(page, "kpi-revenue")
})

const kpisOf = (figures: LiveFigures) => ({
  unique: formatCount(figures.unique_customers),
  loyal: formatCount(figures.loyal_customers),
  purchases: formatCount(figures.purchases),
  revenue: formatMoney(figures.revenue)
})

/**
 * Waits until the owner view is live and shows what the stream sends now (read again on every try:
 * the stream tells of a change within a second of its commit), and that satisfies `expected`;
 * returns those figures.
 */
const ownerShowing = (page: Page, expected: (figures: LiveFigures) => boolean = () => true) =>
  Effect.gen(function*() {
    const figures = yield* liveFigures
    const shown = {
      status: yield* act(() => page.getByTestId("live-status").getAttribute("data-status")),
      ...(yield* act(() => kpis(page)))
    }
    const wanted = { status: "live", ...kpisOf(figures) }
    if (!expected(figures) || JSON.stringify(shown) !== JSON.stringify(wanted)) {
      return yield* Effect.fail({ shown, wanted, expected: expected(figures) })
    }
    return figures
  }).pipe(
    Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo("20 seconds"))),
    Effect.orDieWith((last) => new Error(`the owner view does not show the live figures: ${JSON.stringify(last)}`))
  )

const rowsOf = (page: Page, testId: string, cells: ReadonlyArray<string>) =>
  page.getByTestId(testId).evaluateAll(
    (rows, cells) =>
      rows.map((row) =>
        Object.fromEntries([
          ...cells.map((cell) => [cell, row.querySelector(`[data-testid="${cell}"]`)?.textContent?.trim() ?? ""]),
          ["tied", row.getAttribute("data-tied") ?? ""]
        ])
      ),
    cells
  )

const purchasePayload = (branch_id: number, product_ids: ReadonlyArray<ProductId>, user_id?: string) =>
  new NewPurchase({
    branch_id: BranchId.make(branch_id),
    ...(user_id === undefined ? {} : { user_id: customerId(user_id) }),
    items: product_ids.map((product_id) => new NewPurchaseItem({ product_id }))
  })

/** Sum of a few products' current prices, exactly. */
const priceOf = (products: ReadonlyArray<{ readonly unit_price: Cents }>): Cents =>
  sumCents(products.map((p) => p.unit_price))

// On PostgreSQL, as the other server suites: absent when it is unreachable, a failure with ICASH_TEST_POSTGRES=required
for (const _ of (await testEngines()).filter((engine) => engine.name === "PostgreSQL")) {
  layer(SystemLive, { excludeTestServices: true, timeout: "180 seconds" })("the dashboard", (it) => {
    it.scoped("is served by npm start's program with /config.json, and named in its banner", () =>
      Effect.gen(function*() {
        const system = yield* System
        expect(system.output()).toContain(`Dashboard         http://localhost:${system.webPort}`)
        // asked on this machine, at a loopback name: with the admin key, so that the page opens signed in
        const response = yield* HttpClient.get(`${system.web}/config.json`)
        expect(yield* response.json).toEqual({
          cash_register_url: system.cashRegister,
          store_analytics_url: system.storeAnalytics,
          api_key: system.adminKey
        })
      }))

    it.scoped("shows the owner the same numbers as the API", () =>
      Effect.gen(function*() {
        const { analytics, register } = yield* clients()
        const { page, problems } = yield* open("/")
        const figures = yield* ownerShowing(page)
        expect((yield* analytics.analytics.uniqueCustomers()).unique_customers).toBe(figures.unique_customers)

        // top products, ties as ties: at the stream's limit, then at 10 (fetched)
        const topRows = (products: LiveFigures["top_products"]["products"]) =>
          products.map((p) => ({
            "top-rank": String(p.rank),
            "top-name": p.product_name,
            "top-units": formatCount(p.units_sold),
            "top-revenue": formatMoney(p.revenue),
            tied: String(products.filter((q) => q.rank === p.rank).length > 1)
          }))
        const topCells = ["top-rank", "top-name", "top-units", "top-revenue"]
        expect(yield* act(() => rowsOf(page, "top-row", topCells))).toEqual(topRows(figures.top_products.products))
        yield* act(() => page.getByTestId("top-limit").selectOption("10"))
        const top10 = yield* analytics.analytics.topProducts({ urlParams: { limit: 10 } })
        yield* eventually(async () => expect(await rowsOf(page, "top-row", topCells)).toEqual(topRows(top10.products)))

        // loyal customers, a page at a time, and the search over the page shown
        const loyalRows = (customers: ReadonlyArray<{ user_id: string; purchase_count: number }>) =>
          customers.map((c) => ({ "loyal-id": c.user_id, "loyal-count": formatCount(c.purchase_count), tied: "" }))
        const firstPage = yield* analytics.analytics.loyalCustomers({ urlParams: { min_purchases: 3, limit: 10 } })
        yield* eventually(async () =>
          expect(await rowsOf(page, "loyal-row", ["loyal-id", "loyal-count"])).toEqual(loyalRows(firstPage.customers))
        )
        const secondPage = yield* analytics.analytics.loyalCustomers({
          urlParams: { min_purchases: 3, limit: 10, cursor: firstPage.next_cursor! }
        })
        yield* act(() => page.getByTestId("loyal-next").click())
        yield* eventually(async () => {
          expect(await text(page, "loyal-page")).toBe("Page 2")
          expect(await rowsOf(page, "loyal-row", ["loyal-id", "loyal-count"])).toEqual(loyalRows(secondPage.customers))
        })
        const wanted = secondPage.customers[3]!.user_id
        yield* act(() => page.getByTestId("loyal-search").fill(wanted.slice(0, 13).toUpperCase()))
        yield* eventually(async () =>
          expect(await rowsOf(page, "loyal-row", ["loyal-id"])).toEqual([{ "loyal-id": wanted, tied: "" }])
        )

        const totals = (buckets: ReadonlyArray<{ readonly purchases: number; readonly revenue: Cents }>) => ({
          purchases: formatCount(buckets.reduce((n, b) => n + b.purchases, 0)),
          revenue: formatMoney(sumCents(buckets.map((b) => b.revenue)))
        })
        const sales = page.getByTestId("sales-over-time")
        // the chart has a point per bucket, and its subtitle the buckets' totals
        const chartShows = (buckets: ReadonlyArray<{ readonly purchases: number; readonly revenue: Cents }>) =>
          eventually(async () => {
            expect(await sales.getByTestId("sales-charts").getAttribute("data-points")).toBe(String(buckets.length))
            expect({
              purchases: await text(page, "sales-total-purchases"),
              revenue: await text(page, "sales-total-revenue")
            }).toEqual(totals(buckets))
          })

        // the last 24 hours of the shipped history are empty: the page says when its latest sales were,
        // and shows the 30 days up to that day of the browser's calendar
        const lastSaleAt = (yield* analytics.analytics.sales({ urlParams: { bucket: "hour", tz: TIME_ZONE } }))
          .last_sale_at!
        const lastDay = DateTime.startOf(DateTime.unsafeMakeZoned(lastSaleAt, { timeZone: TIME_ZONE }), "day")
        const upToLatest = yield* analytics.analytics.sales({
          urlParams: {
            from: DateTime.toUtc(DateTime.subtract(lastDay, { days: 29 })),
            to: DateTime.toUtc(DateTime.add(lastDay, { days: 1 })),
            bucket: "day",
            tz: TIME_ZONE
          }
        })
        expect(totals(upToLatest.buckets).purchases).not.toBe("0")
        yield* eventually(async () =>
          expect(await text(page, "sales-last-sale")).toBe(
            DateTime.toDate(lastSaleAt).toLocaleDateString("en-US", { dateStyle: "medium", timeZone: TIME_ZONE })
          )
        )
        yield* act(() => page.getByTestId("sales-show-latest").click())
        expect(upToLatest.buckets.length).toBe(30)
        yield* chartShows(upToLatest.buckets)

        // sales over the shipped history's half year, in the browser's time zone, and per branch
        yield* act(() => page.getByTestId("sales-range").selectOption("custom"))
        yield* act(() => sales.locator("input[type=date]").nth(0).fill("2025-01-01"))
        yield* act(() => sales.locator("input[type=date]").nth(1).fill("2025-06-30"))
        const range = {
          from: DateTime.unsafeMake("2024-12-31T23:00:00Z"),
          to: DateTime.unsafeMake("2025-06-30T22:00:00Z"),
          bucket: "day" as const,
          tz: TIME_ZONE
        }
        const chain = yield* analytics.analytics.sales({ urlParams: range })
        expect(chain.buckets.length).toBe(181)
        yield* chartShows(chain.buckets)
        const branches = yield* register.catalog.listBranches()
        const perBranch = yield* Effect.forEach(branches, (branch) =>
          Effect.map(
            analytics.analytics.sales({ urlParams: { ...range, branch_id: branch.id } }),
            (s) => ({
              "branch-purchases": totals(s.buckets).purchases,
              "branch-revenue": totals(s.buckets).revenue,
              tied: ""
            })
          ))
        yield* eventually(async () =>
          expect(await rowsOf(page, "branch-row", ["branch-purchases", "branch-revenue"])).toEqual(perBranch)
        )
        yield* act(() => page.getByTestId("loyal-search").fill(""))
        yield* screenshot(page, "owner-laptop")
        expect(problems).toEqual([])
      }))

    it.scoped("shows a purchase made at the cashier's screen in the owner's view, without a reload", () =>
      Effect.gen(function*() {
        const { register } = yield* clients()
        const owner = yield* open("/")
        const before = yield* ownerShowing(owner.page)
        yield* act(() => owner.page.getByTestId("sales-total-purchases").waitFor())
        const salesBefore = Number((yield* act(() => text(owner.page, "sales-total-purchases"))).replace(/,/g, ""))
        yield* act(() => owner.page.evaluate(() => Object.assign(globalThis, { __notReloaded: true })))

        const cashier = yield* open("/cashier")
        const products = yield* register.catalog.listProducts()
        const basket = [products[7]!, products[0]!]
        yield* act(() => cashier.page.getByTestId("cashier-branch").selectOption({ label: "SMKT002" }))
        for (const product of basket) {
          const button = cashier.page.locator(`[data-testid=product][data-product-id="${product.id}"]`)
          yield* act(() => button.click())
          // in the basket: it cannot be added a second time
          yield* eventually(async () => expect(await button.isDisabled()).toBe(true))
        }
        expect(yield* act(() => text(cashier.page, "basket-total"))).toBe(formatMoney(priceOf(basket)))
        expect(yield* act(() => cashier.page.getByTestId("basket-row").count())).toBe(2)
        yield* screenshot(cashier.page, "cashier-laptop")

        yield* act(() => cashier.page.getByTestId("pay").click())
        yield* act(() => cashier.page.getByTestId("receipt").waitFor())
        const id = Number((yield* act(() => text(cashier.page, "receipt-id"))).replace("#", ""))
        const stored = yield* register.purchases.get({ path: { id: id as never } })
        expect(yield* act(() => text(cashier.page, "receipt-total"))).toBe(formatMoney(stored.total_amount))
        expect(stored.total_amount).toBe(priceOf(basket))
        expect(yield* act(() => text(cashier.page, "receipt-customer"))).toBe(stored.user_id)
        expect(yield* act(() => cashier.page.getByTestId("receipt-row").allTextContents())).toEqual(
          stored.items.map((item) => `${item.product_name}${formatMoney(item.unit_price)}`)
        )
        yield* screenshot(cashier.page, "cashier-receipt-laptop")

        // the owner's figures, charts and tables follow, in the same page
        const after = yield* ownerShowing(owner.page, (figures) => figures.purchases === before.purchases + 1)
        expect(after.unique_customers).toBe(before.unique_customers + 1)
        expect(after.revenue).toBe(before.revenue + stored.total_amount)
        yield* eventually(async () =>
          expect(await text(owner.page, "sales-total-purchases")).toBe(formatCount(salesBefore + 1))
        )
        expect(yield* act(() => owner.page.evaluate(() => "__notReloaded" in globalThis))).toBe(true)
        expect(owner.problems).toEqual([])
        expect(cashier.problems).toEqual([])
      }))

    it.scoped("shows a purchase made through the API live: a returning customer becomes loyal", () =>
      Effect.gen(function*() {
        const { analytics, register } = yield* clients()
        const owner = yield* open("/")
        const before = yield* ownerShowing(owner.page)
        const twice = (yield* analytics.analytics.loyalCustomers({ urlParams: { min_purchases: 2, limit: 1000 } }))
          .customers.find((c) => c.purchase_count === 2)!
        const products = yield* register.catalog.listProducts()
        const purchase = yield* register.purchases.create({
          payload: purchasePayload(1, [products[2]!.id], twice.user_id),
          headers: {}
        })
        expect(purchase.user_id).toBe(twice.user_id)
        const after = yield* ownerShowing(owner.page, (figures) => figures.purchases === before.purchases + 1)
        expect(after.loyal_customers).toBe(before.loyal_customers + 1)
        expect(after.unique_customers).toBe(before.unique_customers)
        expect(after.revenue).toBe(before.revenue + purchase.total_amount)
        expect(owner.problems).toEqual([])
      }))

    it.scoped("tells the cashier, in words, why the server refused a purchase", () =>
      Effect.gen(function*() {
        const { databaseUrl } = yield* System
        const { register } = yield* clients()
        const sql = yield* Effect.acquireRelease(
          Effect.promise(async () => {
            const client = new pg.Client({ connectionString: databaseUrl })
            await client.connect()
            return client
          }),
          (client) => Effect.promise(() => client.end())
        )
        // a product the page will show, then taken off the catalogue before the sale is paid
        const inserted = yield* act(() =>
          sql.query<{ id: number }>(
            "INSERT INTO products (product_name, unit_price) VALUES ('seasonal mangoes', 3.50) RETURNING id"
          )
        )
        const productId = inserted.rows[0]!.id
        yield* eventually(async () => {
          const listed = await Effect.runPromise(register.catalog.listProducts())
          expect(listed.map((p) => p.id)).toContain(productId)
        })
        const cashier = yield* open("/cashier")
        const mangoes = cashier.page.locator(`[data-testid=product][data-product-id="${productId}"]`)
        yield* act(() => mangoes.waitFor())
        yield* act(() => sql.query("DELETE FROM products WHERE id = $1", [productId]))
        yield* eventually(async () => {
          const listed = await Effect.runPromise(register.catalog.listProducts())
          expect(listed.map((p) => p.id)).not.toContain(productId)
        })

        yield* act(() => cashier.page.getByTestId("cashier-branch").selectOption({ label: "SMKT001" }))
        yield* act(() => mangoes.click())
        yield* act(() => cashier.page.locator(`[data-testid=product][data-product-id="1"]`).click())
        yield* act(() => cashier.page.getByTestId("pay").click())
        // the server's own words (its error's message), and what to do
        yield* eventually(async () =>
          expect(await text(cashier.page, "cashier-error")).toContain(
            `The purchase was not recorded: unknown products: ${productId}`
          )
        )
        expect(yield* act(() => text(cashier.page, "cashier-error-hint"))).toBe(
          "Remove the marked products and pay again."
        )
        expect(yield* act(() => cashier.page.locator(".basket-unknown").allTextContents())).toEqual([
          "seasonal mangoesnot sold any more3.50×"
        ])
        yield* screenshot(cashier.page, "cashier-error-laptop")

        // once the product is out of the basket, the sale goes through
        yield* act(() => cashier.page.getByRole("button", { name: "Remove seasonal mangoes" }).click())
        yield* act(() => cashier.page.getByTestId("pay").click())
        yield* act(() => cashier.page.getByTestId("receipt").waitFor())
        // the browser reports the refused request itself; nothing else may show up
        expect(cashier.problems.filter((p) => !p.includes("status of 422"))).toEqual([])
      }))

    it.scoped("shows the stream reconnecting when it drops, and live again once it is back", () =>
      Effect.gen(function*() {
        const system = yield* System
        const owner = yield* open("/")
        const before = yield* ownerShowing(owner.page)
        yield* system.crash
        yield* eventually(async () => {
          expect(await owner.page.getByTestId("live-status").getAttribute("data-status")).toBe("reconnecting")
          expect(await text(owner.page, "live-status")).toBe("Reconnecting…")
        })
        yield* screenshot(owner.page, "owner-reconnecting-laptop")
        yield* system.start
        // and it follows the figures again
        const { register } = yield* clients()
        yield* register.purchases.create({ payload: purchasePayload(2, [ProductId.make(1)]), headers: {} })
        yield* ownerShowing(owner.page, (figures) => figures.purchases === before.purchases + 1)
        // while the services were down, the browser logged its failed attempts to reconnect
        expect(owner.problems.filter((p) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(p))).toEqual([])
      }))

    it.scoped("asks a tablet on the network to sign in, and keeps to what its key allows", () =>
      Effect.gen(function*() {
        const { tablet } = yield* System
        const { page, problems } = yield* open("/", LAPTOP, tablet)
        const signIn = (apiKey: string) =>
          act(async () => {
            await page.getByTestId("api-key").fill(apiKey)
            await page.getByTestId("sign-in-button").click()
          })
        const storedKey = () => act(() => page.evaluate<string | null>(`localStorage.getItem("icash.api-key")`))

        // no key from a name of the network: the sign-in screen, and the server's words for a wrong key
        expect(yield* act(() => page.evaluate(() => fetch("/config.json").then((r) => r.json())))).not.toHaveProperty(
          "api_key"
        )
        yield* act(() => page.getByTestId("sign-in").waitFor())
        yield* signIn("icash_nosuchkey_0000")
        yield* eventually(async () => expect(await text(page, "sign-in-error")).toBe("unknown or revoked API key"))
        yield* screenshot(page, "sign-in-laptop")

        // an analyst key: the owner's view, live, still signed in after a reload
        const analyst = yield* keys("create", "--role", "analyst", "--name", "dashboard test")
        yield* signIn(analyst)
        yield* ownerShowing(page)
        expect(yield* storedKey()).toBe(analyst)
        yield* act(() => page.reload())
        yield* ownerShowing(page)

        // ... which may not record a purchase: the cashier is told why
        yield* act(() => page.getByRole("link", { name: "Cashier" }).click())
        yield* act(() => page.getByTestId("cashier-branch").selectOption({ label: "SMKT001" }))
        yield* act(() => page.getByTestId("product").first().click())
        yield* act(() => page.getByTestId("pay").click())
        yield* eventually(async () =>
          expect(await text(page, "cashier-error")).toBe(
            "The purchase was not recorded: an analyst key may not use this endpoint; it takes a register or an admin key"
          )
        )

        // revoked, the key signs the page out at its next request
        yield* keys("revoke", analyst)
        const { register } = yield* clients(analyst)
        yield* eventually(() => expect(Effect.runPromise(register.catalog.listProducts())).rejects.toThrow("revoked"))
        yield* act(() => page.getByTestId("pay").click())
        yield* eventually(async () =>
          expect(await text(page, "sign-in-error")).toBe("Signed out: unknown or revoked API key")
        )
        expect(yield* storedKey()).toBeNull()

        // a till's key: the cashier's screen, but not the owner's view
        yield* signIn(yield* keys("create", "--role", "register", "--branch", "SMKT001"))
        yield* act(() => page.getByTestId("product").first().waitFor())
        yield* act(() => page.getByRole("link", { name: "Owner dashboard" }).click())
        yield* eventually(async () => {
          expect(await text(page, "owner-refused")).toContain(
            "This API key cannot see the analytics: a register key may not use this endpoint; it takes an analyst or an admin key"
          )
          expect(await text(page, "live-status")).toBe("Not live")
        })

        // signing out forgets the key
        yield* act(() => page.getByTestId("sign-out").click())
        yield* act(() => page.getByTestId("sign-in").waitFor())
        expect(yield* act(() => page.getByTestId("sign-in-error").count())).toBe(0)
        expect(yield* storedKey()).toBeNull()
        // the browser reports the refused requests themselves; nothing else may show up
        expect(problems.filter((p) => !/status of 40[13]/.test(p))).toEqual([])
      }))

    it.scoped("fits a tablet's screen", () =>
      Effect.gen(function*() {
        for (const [pathname, name] of [["/", "owner"], ["/cashier", "cashier"]] as const) {
          const { page, problems } = yield* open(pathname, TABLET)
          yield* act(() => page.getByTestId(`${name}-view`).waitFor())
          if (name === "owner") yield* ownerShowing(page)
          else yield* act(() => page.getByTestId("product").first().waitFor())
          const overflow = yield* act(() =>
            page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth")
          )
          expect(overflow, `${name}: no sideways scrolling`).toBe(0)
          yield* screenshot(page, `${name}-tablet`)
          expect(problems).toEqual([])
        }
      }))
  })
}
