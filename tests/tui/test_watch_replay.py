"""From the debrief, the game just played can be watched again from its replay file."""

from perpgame.tui.screens.debrief import DebriefScreen
from perpgame.tui.screens.game import GameScreen

from .harness import level, settle
from .test_flow import finish_level


async def test_the_debrief_plays_the_saved_replay_back(make_app, saves_dir) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.play(level(app, "alpha"))
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        played = await finish_level(app, pilot)
        assert played.replay is not None and played.replay.is_file()
        assert played.replay.parent == saves_dir / "replays"
        final_hash = played.session.state_hash()

        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        watched = app.screen
        assert watched.session is not played.session
        assert watched.session.input_log == []  # nothing played yet: the inputs are scheduled

        again = await finish_level(app, pilot)
        assert again.watched == "Replay"
        assert again.session.state_hash() == final_hash
        assert not again.check_action("watch_replay", ())
        assert isinstance(app.screen, DebriefScreen)
