"""Marking (阅卷) of written answers (简答): queues, marks, markers and blind marking."""
