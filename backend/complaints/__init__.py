"""Public complaints (投诉举报): anonymous intake, tracking, triage, reward (奖励)."""
