// Trains a character-level LSTM on the KJV Gospels and Acts (or --text FILE) and writes sampled text (--help for the options).
return CharRnn.CharRnnApp.Run(args, System.Console.Out, System.Console.Error);
