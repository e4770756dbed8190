"""The finance bureau's desk (issue 17): notifications (站内通知), 催报 and deadlines per region and kind."""
