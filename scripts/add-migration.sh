#!/usr/bin/env bash
# Adds a migration with the same name to all three providers' migrations projects, so they stay in step.
# Usage: scripts/add-migration.sh NAME
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/add-migration.sh NAME}
dotnet tool restore >/dev/null
for provider in Sqlite PostgreSql SqlServer; do
  project=src/LicenseManager.Migrations.$provider
  dotnet ef migrations add "$name" --project "$project" --startup-project "$project" --output-dir Migrations
done
