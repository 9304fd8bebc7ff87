"""The facilitator's side: course, grading, batches, reports."""
