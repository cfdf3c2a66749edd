export * from "./Http.js"
export * from "./Pricing.js"
export * from "./Purchases.js"
