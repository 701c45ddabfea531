"""`python -m gendan_xl` is the `gendan` command."""

from gendan_xl.cli import main

raise SystemExit(main())
