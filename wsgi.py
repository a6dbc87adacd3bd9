from pic_events import create_app

app = create_app()
