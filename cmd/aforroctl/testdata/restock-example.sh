#!/usr/bin/env bash
# Restock a store from a CSV of product_id,quantity lines, such as the
# supplier's delivery note for the low-stock items: each line sets that
# product's stock in the store to quantity (adding the product if the store
# did not stock it), as received, with the file's name as the reference. A header line,
# blank lines and lines starting with # are skipped; Windows line endings are
# fine. Every line is tried; the exit status is 1 if any failed, and
# aforroctl says why on stderr.
#
#   restock-example.sh 1 delivery-2211.csv
#
# To make such a file from the store's low-stock list, 40 of each:
#   aforroctl inventory list --store 1 --low-stock --all -o json | jq -r '"\(.product_id),40"' > delivery-2211.csv
set -u
store=${1:?usage: restock-example.sh STORE_ID FILE.csv}
csv=${2:?usage: restock-example.sh STORE_ID FILE.csv}
failed=0
while IFS=, read -r product quantity || [ -n "$product" ]; do
  product=${product//[[:space:]]/} quantity=${quantity//[[:space:]]/}
  case $product in '' | '#'* | product_id) continue ;; esac
  if aforroctl inventory set --store "$store" "$product" "$quantity" \
    --reason received --reference "${csv##*/}" -o json >/dev/null </dev/null; then
    echo "product $product: $quantity in stock"
  else
    failed=1
  fi
done <"$csv"
exit "$failed"
