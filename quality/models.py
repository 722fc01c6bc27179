"""Quality leaderboards: Leaderboard, LeaderboardSnapshot, Score (quality issue)."""
