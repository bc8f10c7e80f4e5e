"""Staff users, their roles and unit memberships, login and invitations."""
