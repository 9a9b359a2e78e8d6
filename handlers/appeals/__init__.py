"""Appeals (问题诉求): intake, the review/handling loop, cards and ledger views."""
