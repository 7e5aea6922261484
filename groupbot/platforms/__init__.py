"""Platform adapters. Only modules under this package may import discord or slack_bolt."""
