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
