//! Every black-box test in one binary. One crate instead of one per file: each integration-test
//! binary links the whole engine (~90 MB in a debug build), and a hundred of them filled CI's
//! disk and spent most of a clean `cargo test` linking. A file here is a module; run one with
//! `cargo test --test it <file>::`. Two tests stay binaries of their own because they read
//! process-wide state: `ops_cli_table` (environment variables) and `http_connection_cap`
//! (the process's thread count).

#[path = "../common/mod.rs"]
mod common;

mod admin_ui_support;
mod till_support;

// The examples are built as modules too; their `main` and CLI are not called here.
#[allow(dead_code)]
#[path = "../../examples/loyalty.rs"]
mod example_loyalty;
#[allow(dead_code)]
#[path = "../../examples/weight_shipping.rs"]
mod example_weight_shipping;

mod accounts_auth;
mod accounts_binary;
mod admin_catalog;
mod admin_catalog_updates;
mod admin_claims;
mod admin_customer_accounts;
mod admin_dashboard_calls;
mod admin_draft_order_updates;
mod admin_draft_orders;
mod admin_exchanges;
mod admin_fulfillment;
mod admin_fulfillment_zones;
mod admin_fulfillments;
mod admin_handlers;
mod admin_inventory;
mod admin_inventory_batch;
mod admin_inventory_levels_across;
mod admin_order_edits;
mod admin_order_lists;
mod admin_order_manage;
mod admin_orders;
mod admin_payment_collections;
mod admin_payments;
mod admin_price_preferences;
mod admin_product_csv;
mod admin_product_options;
mod admin_product_parts;
mod admin_product_reads;
mod admin_promotions;
mod admin_reasons_and_shell;
mod admin_returns;
mod admin_security;
mod admin_settings_and_rules;
mod admin_tax_regions;
mod admin_ui_after_sales;
mod admin_ui_auth;
mod admin_ui_catalog;
mod admin_ui_drafts;
mod admin_ui_orders;
mod admin_ui_pages;
mod admin_ui_settings;
mod admin_users_and_workflows;
mod after_sales_crash;
mod after_sales_invariants;
mod after_sales_sequences;
mod auth_throttle;
mod bad_input;
mod cart_completion_race;
mod cart_promotion_rules;
mod cart_promotions;
mod cart_reply;
mod catalog_events;
mod checkout;
mod checkout_concurrency;
mod checkout_crash;
mod checkout_inline_payment;
mod checkout_loyalty;
mod checkout_storefront;
mod checkout_totals;
mod crash_harness;
mod crash_recovery;
mod customer_group_pricing;
mod demo_images;
mod events_inline;
mod export_roundtrip;
mod file_uploads;
mod fixture_mode;
mod http_foundation;
mod http_slow_clients;
mod input_validation;
mod list_id_filters;
mod loyalty;
mod loyalty_extensions;
mod medusa_events;
mod notifications;
mod notifications_crash;
mod ops_backup;
mod ops_cli;
mod ops_metrics;
mod ops_retention;
mod order_summary_versions;
mod pos_staff;
mod pos_till;
mod promotion_completion;
mod promotion_fixture;
mod promotion_rule_options;
mod providers;
mod providers_and_shipping_option;
mod route_middleware;
mod scheduled_jobs;
mod schema;
mod security_checkout;
mod store_cart_transfer;
mod store_catalog;
mod store_listing_memo;
mod store_locales_search_shipping;
mod store_order_transfer;
mod store_publishable_key_memo;
mod store_variants;
mod till_sync;
mod till_sync_binary;
mod warm_start;
mod webhooks;
mod webhooks_crash;
mod workflow_hooks;
mod workflow_inline;
mod workflow_transient;
mod workflows_and_events;
