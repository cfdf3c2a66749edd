import {
  type Branch,
  CustomerId,
  NewPurchase,
  NewPurchaseItem,
  type Product,
  type ProductId,
  type Purchase,
  sumCents
} from "@icash/domain"
import { Cause, Effect, Either, Exit, Schema } from "effect"
import { useMemo, useRef, useState } from "react"
import { describeError, formatDateTime, formatMoney } from "../format.js"
import { useEffectResult, useStoredState, valueOf } from "../hooks.js"
import { runtime, useServices } from "../services.js"
import { Card, Empty, ErrorMessage, Loading } from "../ui.js"

const decodeCustomerId = Schema.decodeUnknownEither(CustomerId)

/**
 * A fresh UUID v4 for the Idempotency-Key of a purchase, from crypto.getRandomValues (randomUUID
 * needs a secure context, which a tablet on plain http:// is not).
 */
const newIdempotencyKey = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

type Payment =
  | { readonly _tag: "Idle" }
  | { readonly _tag: "Paying" }
  | { readonly _tag: "Failed"; readonly error: unknown }
  | {
    readonly _tag: "Paid"
    readonly purchase: Purchase
    readonly branch: Branch | undefined
    readonly newCustomer: boolean
    readonly basketTotal: number
  }

/** The unknown product ids of an UnknownProducts answer, to point at them in the basket. */
const unknownProductIds = (error: unknown): ReadonlyArray<ProductId> =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "UnknownProducts" &&
    "product_ids" in error && Array.isArray(error.product_ids)
    ? error.product_ids as ReadonlyArray<ProductId>
    : []

/**
 * The cash register: a branch, a customer (a returning one's id, or a new one), one unit of each
 * product, the running total in exact cents, and the receipt with the server's prices.
 */
export function CashierView() {
  const { register } = useServices()
  const catalog = useEffectResult(
    () =>
      Effect.all({ branches: register.catalog.listBranches(), products: register.catalog.listProducts() }, {
        concurrency: 2
      }),
    []
  )
  const [storedBranch, setStoredBranch] = useStoredState("icash.cashier.branch", "")
  const [customerMode, setCustomerMode] = useState<"new" | "returning">("new")
  const [customerText, setCustomerText] = useState("")
  const [basket, setBasket] = useState<ReadonlyArray<Product>>([])
  const [search, setSearch] = useState("")
  const [payment, setPayment] = useState<Payment>({ _tag: "Idle" })
  // the same sale paid again (after a lost answer, say) keeps its key: the server then answers the
  // purchase it stored instead of storing a second one
  const attempt = useRef<{ readonly sale: string; readonly key: string } | undefined>(undefined)

  const loaded = valueOf(catalog)
  const branches = loaded?.branches ?? []
  const branch = branches.find((b) => String(b.id) === storedBranch) ??
    (branches.length === 1 ? branches[0] : undefined)
  const customer = customerMode === "new" ? undefined : decodeCustomerId(customerText.trim())
  const customerProblem = customerMode === "returning" && customer !== undefined && Either.isLeft(customer)
    ? customerText.trim() === ""
      ? "Enter the customer's id, or choose New customer."
      : "A customer id is a UUID v4, e.g. 01e1e159-8045-43c2-88dd-5682b18bd680."
    : undefined
  const total = sumCents(basket.map((p) => p.unit_price))
  const inBasket = useMemo(() => new Set(basket.map((p) => p.id)), [basket])
  const unknown = payment._tag === "Failed" ? new Set(unknownProductIds(payment.error)) : new Set<ProductId>()
  const needle = search.trim().toLowerCase()
  const products = (loaded?.products ?? []).filter((p) =>
    needle === "" || p.product_name.toLowerCase().includes(needle)
  )

  const paying = payment._tag === "Paying"
  const canPay = !paying && branch !== undefined && basket.length > 0 && customerProblem === undefined

  const add = (product: Product) => {
    if (paying) return
    if (payment._tag === "Paid") newSale()
    setBasket((items) => (items.some((p) => p.id === product.id) ? items : [...items, product]))
  }
  const remove = (id: ProductId) => setBasket((items) => items.filter((p) => p.id !== id))

  const newSale = () => {
    setBasket([])
    setPayment({ _tag: "Idle" })
  }

  const pay = () => {
    if (!canPay || branch === undefined) return
    const user_id = customer !== undefined && Either.isRight(customer) ? customer.right : undefined
    const payload = new NewPurchase({
      branch_id: branch.id,
      ...(user_id === undefined ? {} : { user_id }),
      items: basket.map((p) => new NewPurchaseItem({ product_id: p.id }))
    })
    const basketTotal = total
    const sale = JSON.stringify([branch.id, user_id ?? null, basket.map((p) => p.id)])
    if (attempt.current?.sale !== sale) attempt.current = { sale, key: newIdempotencyKey() }
    const headers = { "idempotency-key": attempt.current.key }
    setPayment({ _tag: "Paying" })
    runtime.runPromiseExit(register.purchases.create({ payload, headers })).then((exit) => {
      if (Exit.isSuccess(exit)) {
        attempt.current = undefined
        setPayment({ _tag: "Paid", purchase: exit.value, branch, newCustomer: user_id === undefined, basketTotal })
      } else {
        const error = Cause.squash(exit.cause)
        setPayment({ _tag: "Failed", error })
        // the catalogue changed under us: show the current one
        if (unknownProductIds(error).length > 0) catalog.reload()
      }
    })
  }

  if (loaded === undefined) {
    return (
      <div className="cashier" data-testid="cashier-view">
        <Card title="Cash register">
          {catalog._tag === "Failure"
            ? <ErrorMessage what="Branches and products" error={catalog.error} onRetry={catalog.reload} />
            : <Loading label="Loading branches and products…" />}
        </Card>
      </div>
    )
  }

  return (
    <div className="cashier" data-testid="cashier-view">
      <div className="cashier-main">
        <Card title="Sale" subtitle="Where, and for whom">
          <div className="form-grid">
            <label className="field">
              <span className="field-label">Branch</span>
              <select
                value={branch === undefined ? "" : String(branch.id)}
                onChange={(e) => setStoredBranch(e.target.value)}
                data-testid="cashier-branch"
                disabled={paying}
              >
                {branch === undefined && <option value="">Choose a branch…</option>}
                {branches.map((b) => (
                  <option key={b.id} value={String(b.id)}>
                    {b.name === b.code ? b.name : `${b.name} (${b.code})`}
                  </option>
                ))}
              </select>
            </label>
            <div className="field">
              <span className="field-label">Customer</span>
              <div className="segmented" role="radiogroup" aria-label="Customer">
                <button
                  type="button"
                  role="radio"
                  aria-checked={customerMode === "new"}
                  className={customerMode === "new" ? "active" : ""}
                  onClick={() => setCustomerMode("new")}
                  disabled={paying}
                  data-testid="customer-new"
                >
                  New customer
                </button>
                <button
                  type="button"
                  role="radio"
                  aria-checked={customerMode === "returning"}
                  className={customerMode === "returning" ? "active" : ""}
                  onClick={() => setCustomerMode("returning")}
                  disabled={paying}
                  data-testid="customer-returning"
                >
                  Returning customer
                </button>
              </div>
            </div>
            {customerMode === "returning" && (
              <label className="field field-wide">
                <span className="field-label">Customer id</span>
                <input
                  className={`input mono ${
                    customerProblem !== undefined && customerText !== "" ? "input-invalid" : ""
                  }`}
                  value={customerText}
                  onChange={(e) => setCustomerText(e.target.value)}
                  placeholder="e.g. 01e1e159-8045-43c2-88dd-5682b18bd680"
                  spellCheck={false}
                  autoComplete="off"
                  disabled={paying}
                  data-testid="customer-id"
                />
                {customerProblem !== undefined && <span className="field-hint">{customerProblem}</span>}
              </label>
            )}
          </div>
        </Card>
        <Card
          title="Products"
          subtitle="One unit of each product per purchase"
          actions={
            <input
              type="search"
              className="input search"
              placeholder="Find a product"
              aria-label="Find a product"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          }
        >
          {loaded.products.length === 0
            ? <Empty>The catalogue is empty.</Empty>
            : products.length === 0
            ? <Empty>No product matches “{search.trim()}”.</Empty>
            : (
              <div className="product-grid">
                {products.map((p) => {
                  const added = inBasket.has(p.id)
                  return (
                    <button
                      key={p.id}
                      type="button"
                      className={`product ${added ? "product-added" : ""}`}
                      disabled={added || paying}
                      onClick={() => add(p)}
                      data-testid="product"
                      data-product-id={p.id}
                      aria-label={`${p.product_name}, ${formatMoney(p.unit_price)}${added ? ", in the basket" : ""}`}
                    >
                      <span className="product-name">{p.product_name}</span>
                      <span className="product-price">{formatMoney(p.unit_price)}</span>
                      <span className="product-state">{added ? "In basket" : "Add"}</span>
                    </button>
                  )
                })}
              </div>
            )}
        </Card>
      </div>
      <aside className="cashier-side">
        {payment._tag === "Paid"
          ? (
            <Receipt
              payment={payment}
              onNewSale={newSale}
              onSameCustomer={() => {
                setCustomerMode("returning")
                setCustomerText(payment.purchase.user_id)
                newSale()
              }}
            />
          )
          : (
            <Card title="Basket" subtitle={`${basket.length} ${basket.length === 1 ? "product" : "products"}`}>
              {basket.length === 0
                ? <Empty>Tap a product to add it.</Empty>
                : (
                  <ul className="basket" data-testid="basket">
                    {basket.map((p) => (
                      <li key={p.id} className={unknown.has(p.id) ? "basket-unknown" : ""} data-testid="basket-row">
                        <span className="basket-name">
                          {p.product_name}
                          {unknown.has(p.id) && <span className="pill pill-danger">not sold any more</span>}
                        </span>
                        <span className="num">{formatMoney(p.unit_price)}</span>
                        <button
                          type="button"
                          className="icon-button"
                          onClick={() =>
                            remove(p.id)}
                          disabled={paying}
                          aria-label={`Remove ${p.product_name}`}
                        >
                          ×
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              <div className="total">
                <span>Total</span>
                <span className="total-amount" data-testid="basket-total">{formatMoney(total)}</span>
              </div>
              {payment._tag === "Failed" && (
                <div className="state state-error" role="alert" data-testid="cashier-error">
                  <span>
                    <strong>The purchase was not recorded:</strong> {describeError(payment.error)}
                    {unknown.size > 0 && (
                      <span className="state-hint" data-testid="cashier-error-hint">
                        Remove the marked products and pay again.
                      </span>
                    )}
                  </span>
                </div>
              )}
              <div className="pay-row">
                <button
                  type="button"
                  className="button button-ghost"
                  onClick={newSale}
                  disabled={paying || basket.length === 0}
                >
                  Clear
                </button>
                <button
                  type="button"
                  className="button button-primary button-large"
                  onClick={pay}
                  disabled={!canPay}
                  data-testid="pay"
                >
                  {paying ? "Paying…" : `Pay ${formatMoney(total)}`}
                </button>
              </div>
              {branch === undefined && <p className="field-hint">Choose a branch first.</p>}
            </Card>
          )}
      </aside>
    </div>
  )
}

function Receipt(props: {
  readonly payment: Extract<Payment, { _tag: "Paid" }>
  readonly onNewSale: () => void
  readonly onSameCustomer: () => void
}) {
  const { purchase, branch, newCustomer, basketTotal } = props.payment
  return (
    <Card title="Receipt" subtitle="Paid" className="receipt" testId="receipt">
      <dl className="receipt-meta">
        <dt>Purchase</dt>
        <dd data-testid="receipt-id">#{purchase.id}</dd>
        <dt>Date</dt>
        <dd>{formatDateTime(purchase.timestamp)}</dd>
        <dt>Branch</dt>
        <dd>{branch?.name ?? `#${purchase.branch_id}`}</dd>
        <dt>Customer</dt>
        <dd className="mono" data-testid="receipt-customer">{purchase.user_id}</dd>
      </dl>
      {newCustomer && <p className="note">A new customer: their id is above, for their next visit.</p>}
      <ul className="basket">
        {purchase.items.map((item) => (
          <li key={item.product_id} data-testid="receipt-row">
            <span className="basket-name">{item.product_name}</span>
            <span className="num">{formatMoney(item.unit_price)}</span>
          </li>
        ))}
      </ul>
      <div className="total">
        <span>Total paid</span>
        <span className="total-amount" data-testid="receipt-total">{formatMoney(purchase.total_amount)}</span>
      </div>
      {purchase.total_amount !== basketTotal && (
        <p className="note">Prices changed since the basket was made: the receipt shows the prices charged.</p>
      )}
      <div className="pay-row">
        <button type="button" className="button button-ghost" onClick={props.onSameCustomer}>
          Same customer again
        </button>
        <button type="button" className="button button-primary" onClick={props.onNewSale} data-testid="new-sale">
          New sale
        </button>
      </div>
    </Card>
  )
}
