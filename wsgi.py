import gc

# No cyclic-collector passes while the app is imported: each full pass walks every object
# loaded so far (about 0.25 s of CPU in all, a tenth of which showed up as the "own" import time
# of whichever module happened to be loading, e.g. programme/api.py). The objects built here
# live as long as the process, so they are then frozen out of the collector's later passes.
gc.disable()
try:
    from pic_events import create_app

    app = create_app()
finally:
    gc.freeze()
    gc.enable()
