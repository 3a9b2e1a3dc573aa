CREATE TABLE `orgs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`agent_name` text,
	`webhook_url` text,
	`webhook_secret` text,
	`progress_events` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`hash` text NOT NULL,
	`start` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_org_idx` ON `api_keys` (`org_id`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`delta_available` integer NOT NULL,
	`delta_reserved` integer NOT NULL,
	`reference` text NOT NULL,
	`reservation_id` text,
	`batch_id` text,
	`note` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_entries_reference_unique` ON `ledger_entries` (`reference`);--> statement-breakpoint
CREATE INDEX `ledger_org_idx` ON `ledger_entries` (`org_id`);--> statement-breakpoint
CREATE INDEX `ledger_reservation_idx` ON `ledger_entries` (`reservation_id`);--> statement-breakpoint
CREATE TABLE `reservations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`batch_id` text,
	`amount` integer NOT NULL,
	`charged` integer DEFAULT 0 NOT NULL,
	`released` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`settled_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reservations_org_idx` ON `reservations` (`org_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor_key_id` text,
	`action` text NOT NULL,
	`subject_id` text,
	`detail` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `files` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`filename` text NOT NULL,
	`purpose` text NOT NULL,
	`content_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`line_count` integer,
	`path` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`deleted_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `files_org_idx` ON `files` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `quotes` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`params_hash` text NOT NULL,
	`params` text NOT NULL,
	`locked_rates` text NOT NULL,
	`sla_multiplier_bps` integer NOT NULL,
	`total_micros` integer NOT NULL,
	`response` text NOT NULL,
	`created_at` integer NOT NULL,
	`valid_until` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `quotes_org_idx` ON `quotes` (`org_id`);--> statement-breakpoint
CREATE TABLE `batches` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`status` text NOT NULL,
	`shape` text NOT NULL,
	`endpoint` text NOT NULL,
	`input_file_id` text NOT NULL,
	`input_path` text NOT NULL,
	`model` text,
	`quote_id` text,
	`sla_tier` text NOT NULL,
	`routing_mode` text NOT NULL,
	`privacy_tier` text NOT NULL,
	`policy` text NOT NULL,
	`metadata` text,
	`webhook_url` text,
	`webhook_secret` text,
	`item_count` integer NOT NULL,
	`estimate` text NOT NULL,
	`locked_rates` text NOT NULL,
	`sla_multiplier_bps` integer NOT NULL,
	`reservation_id` text,
	`reserved_micros` integer NOT NULL,
	`charged_micros` integer,
	`output_file_id` text,
	`error_file_id` text,
	`errors` text,
	`output_expires_after` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`in_progress_at` integer,
	`finalizing_at` integer,
	`completed_at` integer,
	`failed_at` integer,
	`expired_at` integer,
	`cancelling_at` integer,
	`cancelled_at` integer,
	`sla_deadline` integer NOT NULL,
	`end_intent` text,
	`lease_id` text,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `batches_org_idx` ON `batches` (`org_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `batches_status_idx` ON `batches` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`org_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`state` text NOT NULL,
	`batch_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idempotency_org_key_idx` ON `idempotency_keys` (`org_id`,`key`);--> statement-breakpoint
CREATE TABLE `item_totals` (
	`batch_id` text NOT NULL,
	`lane_id` text NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cached_tokens` integer NOT NULL,
	`cost_micros` integer NOT NULL,
	PRIMARY KEY(`batch_id`, `lane_id`, `status`)
);
--> statement-breakpoint
CREATE TABLE `items` (
	`id` text PRIMARY KEY NOT NULL,
	`batch_id` text NOT NULL,
	`seq` integer NOT NULL,
	`customer_item_id` text NOT NULL,
	`line` integer NOT NULL,
	`offset` integer NOT NULL,
	`length` integer NOT NULL,
	`model` text NOT NULL,
	`operation` text NOT NULL,
	`url` text NOT NULL,
	`est_input_tokens` integer NOT NULL,
	`est_output_tokens` integer NOT NULL,
	`needs_tools` integer DEFAULT false NOT NULL,
	`untranslatable` text,
	`status` text NOT NULL,
	`lane_id` text,
	`provider` text,
	`offering_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`lease_id` text,
	`output` text,
	`error_code` text,
	`error_message` text,
	`input_tokens` integer,
	`output_tokens` integer,
	`cached_tokens` integer,
	`cost_micros` integer,
	`completed_at` integer,
	`provider_job_id` text,
	`provider_custom_id` text,
	`node_id` text,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `items_batch_seq_idx` ON `items` (`batch_id`,`seq`);--> statement-breakpoint
CREATE INDEX `items_batch_status_idx` ON `items` (`batch_id`,`status`,`lane_id`,`input_tokens`,`output_tokens`,`cached_tokens`,`cost_micros`);--> statement-breakpoint
CREATE INDEX `items_dispatch_idx` ON `items` (`offering_id`,`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `items_provider_job_idx` ON `items` (`provider_job_id`,`status`);--> statement-breakpoint
CREATE INDEX `items_lease_idx` ON `items` (`lease_id`) WHERE "items"."lease_id" is not null;--> statement-breakpoint
CREATE TABLE `lanes` (
	`id` text PRIMARY KEY NOT NULL,
	`batch_id` text NOT NULL,
	`model` text NOT NULL,
	`operation` text NOT NULL,
	`provider` text NOT NULL,
	`offering_id` text NOT NULL,
	`status` text NOT NULL,
	`item_count` integer NOT NULL,
	`item_models` text DEFAULT '[]' NOT NULL,
	`input_rate` integer NOT NULL,
	`output_rate` integer NOT NULL,
	`sla_multiplier_bps` integer NOT NULL,
	`quoted_micros` integer NOT NULL,
	`fallbacks` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `lanes_batch_idx` ON `lanes` (`batch_id`);--> statement-breakpoint
CREATE TABLE `leases` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`holder` text NOT NULL,
	`lease_until` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `leases_until_idx` ON `leases` (`lease_until`);--> statement-breakpoint
CREATE TABLE `provider_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`batch_id` text NOT NULL,
	`lane_id` text NOT NULL,
	`provider` text NOT NULL,
	`offering_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`cause` text,
	`remote_id` text,
	`item_count` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`submitted_at` integer,
	`last_polled_at` integer,
	`progress_at` integer,
	`progress_count` integer DEFAULT 0 NOT NULL,
	`cancel_requested_at` integer,
	`ended_at` integer,
	`next_poll_at` integer NOT NULL,
	`lease_id` text,
	`error` text,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `provider_jobs_due_idx` ON `provider_jobs` (`status`,`next_poll_at`);--> statement-breakpoint
CREATE INDEX `provider_jobs_provider_idx` ON `provider_jobs` (`provider`,`ended_at`);--> statement-breakpoint
CREATE INDEX `provider_jobs_batch_idx` ON `provider_jobs` (`batch_id`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`status_code` integer,
	`latency_ms` integer NOT NULL,
	`error` text,
	FOREIGN KEY (`event_id`) REFERENCES `webhook_events`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_event_attempt_idx` ON `webhook_deliveries` (`event_id`,`attempt`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_batch_idx` ON `webhook_deliveries` (`batch_id`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` text PRIMARY KEY NOT NULL,
	`batch_id` text NOT NULL,
	`org_id` text NOT NULL,
	`type` text NOT NULL,
	`body` text NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_id` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_events_due_idx` ON `webhook_events` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_events_batch_idx` ON `webhook_events` (`batch_id`,`type`,`created_at`);--> statement-breakpoint
CREATE TABLE `lane_outcomes` (
	`lane_id` text PRIMARY KEY NOT NULL,
	`offering_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`turnaround_ms` integer,
	`completed` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`expired` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `lane_outcomes_offering_idx` ON `lane_outcomes` (`offering_id`,`finished_at`);--> statement-breakpoint
CREATE TABLE `routing_decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`batch_id` text NOT NULL,
	`kind` text NOT NULL,
	`model` text NOT NULL,
	`operation` text NOT NULL,
	`detail` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `routing_decisions_batch_idx` ON `routing_decisions` (`batch_id`);--> statement-breakpoint
CREATE TABLE `fleet_join_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`name` text,
	`trust_tier` text NOT NULL,
	`regions` text NOT NULL,
	`max_uses` integer NOT NULL,
	`uses` integer DEFAULT 0 NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `fleet_nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`join_token_id` text NOT NULL,
	`trust_tier` text NOT NULL,
	`regions` text NOT NULL,
	`status` text NOT NULL,
	`token_jti` text,
	`previous_jti` text,
	`previous_jti_until` integer,
	`token_expires_at` integer NOT NULL,
	`offerings` text NOT NULL,
	`concurrent_items` integer NOT NULL,
	`in_flight` integer DEFAULT 0 NOT NULL,
	`upstream_health` text DEFAULT 'ok' NOT NULL,
	`health_detail` text,
	`last_heartbeat_at` integer NOT NULL,
	`joined_at` integer NOT NULL,
	`completed_items` integer DEFAULT 0 NOT NULL,
	`failed_items` integer DEFAULT 0 NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `fleet_nodes_status_idx` ON `fleet_nodes` (`status`);--> statement-breakpoint
-- item_totals (features/items/table.ts) kept in step with items by triggers: they run inside the
-- statement that changes or deletes an item, on whichever connection, so the totals commit or roll
-- back with it and can never drift from a recount. Inserts are counted by the one insert path,
-- CreatingItemsWriter (item-rows.ts), once per chunk in the chunk's transaction: a per-row insert
-- trigger made the insert of 50,000 items 2-5x slower (an upsert and a statement journal per row).
-- Appended to the initial migration by scripts/regen-migrations.sh (drizzle-kit does not
-- generate triggers).
CREATE TRIGGER `items_totals_delete` AFTER DELETE ON `items` BEGIN
  UPDATE `item_totals` SET `n` = `n` - 1, `input_tokens` = `input_tokens` - coalesce(old.`input_tokens`, 0), `output_tokens` = `output_tokens` - coalesce(old.`output_tokens`, 0), `cached_tokens` = `cached_tokens` - coalesce(old.`cached_tokens`, 0), `cost_micros` = `cost_micros` - coalesce(old.`cost_micros`, 0)
  WHERE `batch_id` = old.`batch_id` AND `lane_id` = coalesce(old.`lane_id`, '') AND `status` = old.`status`;
END;
--> statement-breakpoint
CREATE TRIGGER `items_totals_update` AFTER UPDATE OF `batch_id`, `lane_id`, `status`, `input_tokens`, `output_tokens`, `cached_tokens`, `cost_micros` ON `items`
WHEN old.`batch_id` IS NOT new.`batch_id` OR old.`lane_id` IS NOT new.`lane_id` OR old.`status` IS NOT new.`status` OR old.`input_tokens` IS NOT new.`input_tokens` OR old.`output_tokens` IS NOT new.`output_tokens` OR old.`cached_tokens` IS NOT new.`cached_tokens` OR old.`cost_micros` IS NOT new.`cost_micros`
BEGIN
  UPDATE `item_totals` SET `n` = `n` - 1, `input_tokens` = `input_tokens` - coalesce(old.`input_tokens`, 0), `output_tokens` = `output_tokens` - coalesce(old.`output_tokens`, 0), `cached_tokens` = `cached_tokens` - coalesce(old.`cached_tokens`, 0), `cost_micros` = `cost_micros` - coalesce(old.`cost_micros`, 0)
  WHERE `batch_id` = old.`batch_id` AND `lane_id` = coalesce(old.`lane_id`, '') AND `status` = old.`status`;
  INSERT INTO `item_totals` (`batch_id`, `lane_id`, `status`, `n`, `input_tokens`, `output_tokens`, `cached_tokens`, `cost_micros`)
  VALUES (new.`batch_id`, coalesce(new.`lane_id`, ''), new.`status`, 1, coalesce(new.`input_tokens`, 0), coalesce(new.`output_tokens`, 0), coalesce(new.`cached_tokens`, 0), coalesce(new.`cost_micros`, 0))
  ON CONFLICT (`batch_id`, `lane_id`, `status`) DO UPDATE SET `n` = `n` + 1, `input_tokens` = `input_tokens` + excluded.`input_tokens`, `output_tokens` = `output_tokens` + excluded.`output_tokens`, `cached_tokens` = `cached_tokens` + excluded.`cached_tokens`, `cost_micros` = `cost_micros` + excluded.`cost_micros`;
END;
--> statement-breakpoint
CREATE TRIGGER `batches_totals_delete` AFTER DELETE ON `batches` BEGIN
  DELETE FROM `item_totals` WHERE `batch_id` = old.`id`;
END;
