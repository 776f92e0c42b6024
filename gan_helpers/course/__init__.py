"""The course's machinery: nothing here is taught, and a learner never needs to read it.

The lessons are the modules one folder up (``gan_helpers/``). These modules serve them:

- ``exercises``: the checks of the learners' answers, with the answers. Read it after you have
  answered;
- ``progress``: each check's latest verdict in the learner's ``files/progress.json``, and the
  teacher's table of them (``python -m gan_helpers.course.progress DIR...``);
- ``display``: code shown to read (``show_code``) and the diagrams the notebooks draw;
- ``results``: the figures and pictures ``make results`` collects;
- ``speed``: the speed switches (how fast a step runs, not what it computes) and CUDA graphs;
- ``faces``: the procedural faces notebooks 06 and 07 train on without the Kaggle data;
- ``knobs``: what a value of a hyperparameter table may be (``settings.choose`` and the ``hp``
  it returns check every value);
- ``storage``: files written whole or not at all, and plain words for a file that cannot be
  read (every writer of the course: checkpoints, figures, results, caches, datasets);
- ``prepare``: getting and checking datasets (``make data``, or
  ``python -m gan_helpers.course.prepare``);
- ``check``: the environment check (``make check``);
- ``pretrained``: the trained models that ship in ``pretrained/`` (``make pretrained``);
- ``editions``: the student edition (``make student``);
- ``runner``: running notebooks for the tests and benchmarks (``make results``, the knob tests).
"""
