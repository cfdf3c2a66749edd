import type { SeedSummary } from "./Seed.js"

/** What a person running the seed wants to know, in four lines. */
export const formatSummary = ({ products: p, purchases: b }: SeedSummary): string =>
  [
    `products:  ${p.in_file} in ${p.file} (${p.added} added, ${p.updated} price updated, ${p.unchanged} unchanged)`,
    `branches:  ${b.branches_in_file} in ${b.file} (${b.branches_added} added)`,
    `customers: ${b.customers_in_file} in ${b.file} (${b.customers_added} added)`,
    `purchases: ${b.in_file} in ${b.file} (${b.added} added, ${b.already_present} already present)`
  ].join("\n")
