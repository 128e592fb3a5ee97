ALTER TABLE `users` ADD `erased_at` text;--> statement-breakpoint
CREATE INDEX `users_erasure_due_idx` ON `users` (`delete_on`) WHERE "users"."delete_on" is not null and "users"."erased_at" is null;