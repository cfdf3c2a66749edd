import { Branch, BranchId, cents, Product, ProductId } from "@icash/domain"

export const branches = [
  new Branch({ id: BranchId.make(1), code: "SMKT001", name: "Centro" }),
  new Branch({ id: BranchId.make(2), code: "SMKT002", name: "Norte" })
]

export const products = [
  new Product({ id: ProductId.make(1), product_name: "milk", unit_price: cents(150) }),
  new Product({ id: ProductId.make(2), product_name: "bread", unit_price: cents(200) }),
  new Product({ id: ProductId.make(3), product_name: "chewing gum", unit_price: cents(10) }),
  new Product({ id: ProductId.make(4), product_name: "mints", unit_price: cents(20) })
]

export const alice = "01e1e159-8045-43c2-88dd-5682b18bd680"
