import { DateTime } from "effect"
import type { LoyalCustomersPage, Sales, TopProducts, UniqueCustomers } from "./Analytics.js"

/*
 * The analytics answers as `Schema.encode` writes them, by hand: on a page of a hundred customers
 * or a month of buckets, Schema's encoding of values already typed was most of what a request
 * allocated. Tests hold each equal to Schema.encode for arbitrary values.
 */

export const encodeUniqueCustomers = (answer: UniqueCustomers): typeof UniqueCustomers.Encoded => ({
  unique_customers: answer.unique_customers
})

export const encodeLoyalCustomersPage = (page: LoyalCustomersPage): typeof LoyalCustomersPage.Encoded => ({
  min_purchases: page.min_purchases,
  customers: page.customers.map((customer) => ({
    user_id: customer.user_id,
    purchase_count: customer.purchase_count
  })),
  next_cursor: page.next_cursor
})

export const encodeTopProducts = (top: TopProducts): typeof TopProducts.Encoded => ({
  limit: top.limit,
  products: top.products.map((product) => ({
    product_id: product.product_id,
    product_name: product.product_name,
    units_sold: product.units_sold,
    revenue: product.revenue / 100,
    rank: product.rank
  }))
})

export const encodeSales = (sales: Sales): typeof Sales.Encoded => ({
  from: DateTime.formatIso(sales.from),
  to: DateTime.formatIso(sales.to),
  bucket: sales.bucket,
  tz: sales.tz,
  branch_id: sales.branch_id,
  last_sale_at: sales.last_sale_at === null ? null : DateTime.formatIso(sales.last_sale_at),
  buckets: sales.buckets.map((bucket) => ({
    start: DateTime.formatIso(bucket.start),
    local_start: bucket.local_start,
    purchases: bucket.purchases,
    revenue: bucket.revenue / 100
  }))
})
